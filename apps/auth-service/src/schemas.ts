import { problemResponses } from '@flash/service-kit'

/** OpenAPI helpers for the auth routes (the shared parts live in service-kit). */
export const TAGS = ['auth']
export { BEARER, BODY_PROBLEMS, problemCodes as codes } from '@flash/service-kit'

export const problems = problemResponses({
  descriptions: { 401: 'Not authenticated', 409: 'Conflict' },
})
