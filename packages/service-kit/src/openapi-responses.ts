import { ERROR_CODES, type ErrorCode } from '@flash/contracts'
import { Type } from 'typebox'

/** Security requirement for routes that take a Bearer access token. */
export const BEARER = [{ bearer: [] }]

/** Every body-accepting route answers these the same way. */
export const BODY_PROBLEMS = [400, 413, 415] as const

const ProblemRef = Type.Ref('Problem')

const DEFAULT_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON or request validation failed (validation_failed, malformed_json)',
  401: 'Not authenticated (unauthorized, token_revoked)',
  403: 'Authenticated but not allowed (forbidden)',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body larger than the limit (payload_too_large)',
  415: 'Body is not application/json (unsupported_media_type)',
  429: 'Rate limited (rate_limited); see Retry-After',
  503: 'A dependency is unavailable (dependency_unavailable) or the instance sheds load (overloaded); see Retry-After',
}

const RETRY_AFTER = {
  'retry-after': { type: 'integer' as const, description: 'Seconds to wait before retrying' },
}

export interface ProblemResponse {
  description: string
  content: Record<string, { schema: typeof ProblemRef }>
  headers?: Record<string, { type: 'integer'; description: string }>
}

/**
 * A service's `problems(...statuses)` helper: application/problem+json responses for route schemas,
 * documented and serialised alike. `descriptions` refine the defaults per service; `retryAfter`
 * lists the statuses that carry a Retry-After header (429 and 503 everywhere).
 */
export function problemResponses(
  options: { descriptions?: Record<number, string>; retryAfter?: readonly number[] } = {},
) {
  const descriptions = { ...DEFAULT_DESCRIPTIONS, ...options.descriptions }
  const retryAfter = new Set(options.retryAfter ?? [429, 503])
  return (...statuses: number[]) => {
    const out: Record<number, ProblemResponse> = {}
    for (const status of statuses) {
      out[status] = {
        description: descriptions[status] ?? 'Error',
        content: { 'application/problem+json': { schema: ProblemRef } },
        ...(retryAfter.has(status) ? { headers: RETRY_AFTER } : {}),
      }
    }
    return out
  }
}

/** Which problem codes a route may return, for the route description. */
export const problemCodes = (...names: ErrorCode[]) =>
  `Problem codes: ${names.map((n) => `\`${n}\` (${ERROR_CODES[n]})`).join(', ')}.`
