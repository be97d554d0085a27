import { problemResponses } from '@flash/service-kit'

/** OpenAPI helpers for the order routes (the shared parts live in service-kit). */
export const TAGS = ['orders']
export { BEARER, problemCodes as codes } from '@flash/service-kit'

export const problems = problemResponses({
  descriptions: {
    422: 'Idempotency-Key reused with a different body (idempotency_key_reused)',
    503: 'A dependency is unavailable (dependency_unavailable); nothing was kept, retry after Retry-After',
  },
  // 409 idempotency_request_in_flight tells the client when to look again.
  retryAfter: [409, 503],
})
