import { ProblemError } from '@flash/service-kit'

/**
 * Every problem auth-service answers, in one place, so every path says the same thing.
 * Codes and statuses stay in `@flash/contracts` (ERROR_CODES): they are part of the public API contract
 * that the typed api-client and the OpenAPI documents are built from. Building the problems is this
 * service's own business: nothing outside this file constructs one.
 */
export const invalidCredentials = () =>
  // One message for "no such email" and "wrong password": the answer must not reveal which.
  new ProblemError('invalid_credentials', 'The email or password is incorrect')

export const emailTaken = () => new ProblemError('email_taken', 'An account with this email already exists')

export const invalidRefreshToken = (detail = 'The refresh token is invalid, expired or revoked') =>
  new ProblemError('invalid_refresh_token', detail)

export const refreshTokenReused = () =>
  invalidRefreshToken('The refresh token was already used; the whole session has been revoked')

export const unknownUser = () => new ProblemError('unauthorized', 'The account no longer exists')

export const blankField = (field: string) =>
  new ProblemError('validation_failed', `body.${field} must not be blank`, {
    errors: [{ path: `body.${field}`, message: 'must not be blank' }],
  })

export const weakPassword = (reason: string) =>
  new ProblemError('validation_failed', `body.password ${reason}`, {
    errors: [{ path: 'body.password', message: reason }],
  })

export const revocationUnavailable = (cause: unknown) =>
  new ProblemError('dependency_unavailable', 'The session could not be ended right now; retry', {
    retryAfter: 1,
    cause,
  })

export const refreshUnavailable = (cause: unknown) =>
  new ProblemError('dependency_unavailable', 'The session could not be refreshed right now; retry', {
    retryAfter: 1,
    cause,
  })

export const hashingOverloaded = (retryAfter: number) =>
  new ProblemError('overloaded', 'Too many sign-ins are being processed right now; retry shortly', {
    retryAfter,
  })

/** Too many wrong passwords for one account (LoginGuard), whatever the client address. */
export const accountThrottled = (retryAfter: number) =>
  new ProblemError('rate_limited', `Too many failed sign-ins for this account; retry in ${retryAfter} s`, {
    retryAfter,
  })

/** register/login/refresh over AUTH_RATE_LIMIT_MAX for this client address (@fastify/rate-limit). */
export const rateLimited = (after: string, retryAfter: number) =>
  new ProblemError('rate_limited', `Too many requests; retry in ${after}`, { retryAfter })
