import { ERROR_CODES } from '@flash/contracts'
import { Type } from 'typebox'

/** OpenAPI/serialisation helpers shared by the order routes. */
export const TAGS = ['orders']
export const BEARER = [{ bearer: [] }]

const ProblemRef = Type.Ref('Problem')

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON or request validation failed (validation_failed, malformed_json)',
  401: 'Not authenticated (unauthorized, token_revoked)',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body larger than the limit (payload_too_large)',
  415: 'Body is not application/json (unsupported_media_type)',
  422: 'Idempotency-Key reused with a different body (idempotency_key_reused)',
  503: 'A dependency is unavailable (dependency_unavailable); nothing was kept, retry after Retry-After',
}

const RETRY_AFTER = {
  'retry-after': { type: 'integer' as const, description: 'Seconds to wait before retrying' },
}

/** application/problem+json responses for the given statuses, documented and serialised alike. */
export function problems(...statuses: number[]) {
  const out: Record<
    number,
    {
      description: string
      content: Record<string, { schema: typeof ProblemRef }>
      headers?: Record<string, { type: 'integer'; description: string }>
    }
  > = {}
  for (const status of statuses) {
    out[status] = {
      description: DESCRIPTIONS[status] ?? 'Error',
      content: { 'application/problem+json': { schema: ProblemRef } },
      ...(status === 409 || status === 503 ? { headers: RETRY_AFTER } : {}),
    }
  }
  return out
}

/** Which problem codes a route may return, for the route description. */
export const codes = (...names: (keyof typeof ERROR_CODES)[]) =>
  `Problem codes: ${names.map((n) => `\`${n}\` (${ERROR_CODES[n]})`).join(', ')}.`
