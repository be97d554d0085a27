import { ERROR_CODES } from '@flash/contracts'
import { type Static, Type } from 'typebox'

/** OpenAPI/serialisation helpers shared by the inventory routes. */
export const PUBLIC_TAGS = ['products']
/** Internal routes are documented in this service's own /docs (reachable only inside the VPC); the
 * gateway's merged document drops every `/internal` path. */
export const INTERNAL_TAGS = ['internal']
export const BEARER = [{ bearer: [] }]

const ProblemRef = Type.Ref('Problem')

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON or request validation failed (validation_failed, malformed_json)',
  401: 'Not authenticated (unauthorized, token_revoked)',
  403: 'Authenticated but not allowed (forbidden)',
  404: 'No such product (product_not_found)',
  413: 'Body larger than the limit (payload_too_large)',
  415: 'Body is not application/json (unsupported_media_type)',
  503: 'Redis or MySQL is unavailable (dependency_unavailable); see Retry-After',
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
      ...(status === 503 ? { headers: RETRY_AFTER } : {}),
    }
  }
  return out
}

/** Every body-accepting route answers these the same way. */
export const BODY_PROBLEMS = [400, 413, 415] as const

/** Which problem codes a route may return, for the route description. */
export const codes = (...names: (keyof typeof ERROR_CODES)[]) =>
  `Problem codes: ${names.map((n) => `\`${n}\` (${ERROR_CODES[n]})`).join(', ')}.`

export { StockState } from '@flash/contracts'
