import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { LoginBody, RefreshBody, TokenPair } from '@flash/contracts'
import { accountThrottled, invalidCredentials } from '../errors.ts'
import { findUserByEmail, updatePasswordHash } from '../repositories/users.ts'
import { noStore } from '@flash/service-kit'
import { BEARER, BODY_PROBLEMS, codes, problems, TAGS } from '../schemas.ts'
import { Type } from 'typebox'

const loginRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/login',
    {
      config: { rateLimit: {} },
      onRequest: noStore,
      schema: {
        tags: TAGS,
        summary: 'Exchange email and password for an access and a refresh token',
        description: `After LOGIN_MAX_FAILURES wrong passwords for one email within LOGIN_FAILURE_WINDOW_SECONDS, its logins are refused (429 rate_limited + Retry-After) for LOGIN_LOCK_SECONDS, from any address. ${codes('validation_failed', 'invalid_credentials', 'rate_limited', 'overloaded')}`,
        body: LoginBody,
        response: { 200: TokenPair, ...problems(...BODY_PROBLEMS, 401, 429, 503) },
      },
    },
    async (request) => {
      const { email, password } = request.body
      // Before any hashing: a locked account costs no password check and tells nothing more.
      const guard = await app.loginGuard.check(email)
      if (guard.retryAfter > 0) throw accountThrottled(guard.retryAfter)
      const user = await findUserByEmail(app.db, email)
      // Unknown email costs a full hash too, so response time does not tell which emails exist.
      const ok = user
        ? await app.passwords.verify(password, user.password_hash)
        : await app.passwords.verifyDummy(password)
      if (!user || !ok) {
        await app.loginGuard.failed(email)
        throw invalidCredentials()
      }
      if (guard.failures > 0) await app.loginGuard.succeeded(email)
      if (app.passwords.needsRehash(user.password_hash)) {
        // Only when a hashing slot is free: under load the upgrade waits for a quieter login
        // rather than doubling this one's cost or shedding it.
        const upgraded = await app.passwords.hashIfIdle(password)
        if (upgraded) await updatePasswordHash(app.db, user.id, upgraded)
      }
      return app.sessions.start(app.db, { id: Number(user.id), role: user.role })
    },
  )
}

const refreshRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/refresh',
    {
      config: { rateLimit: {} },
      onRequest: noStore,
      schema: {
        tags: TAGS,
        summary: 'Rotate a refresh token: returns a new pair, the presented token is dead afterwards',
        description: `Presenting a refresh token that was already rotated revokes its whole session (every refresh and access token of it). ${codes('validation_failed', 'invalid_refresh_token', 'rate_limited', 'dependency_unavailable')}`,
        body: RefreshBody,
        response: { 200: TokenPair, ...problems(...BODY_PROBLEMS, 401, 429, 503) },
      },
    },
    async (request) =>
      app.sessions.rotate(request.body.refresh_token, (userId) =>
        app.serviceEvents.recordSecurity(request, 'revocation', 'refresh_token_reused', { user_id: userId }),
      ),
  )
}

const logoutRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/logout',
    {
      // A revoked (but validly signed, unexpired) token may log out again: the retry of a logout
      // whose answer was lost must succeed, not be refused as "revoked".
      onRequest: app.verifyBearer,
      // Ending a session is never refused for having made too many requests.
      config: { userThrottle: false },
      schema: {
        tags: TAGS,
        summary: 'End the session: this access token and its whole refresh-token family are revoked',
        description: `Refused by every service from then on. Answered 204 only once the revocation is durable; logging out an already ended session is a no-op 204, so a retry is safe. A body is not expected; one that is sent must be JSON. ${codes('unauthorized', 'malformed_json', 'payload_too_large', 'unsupported_media_type', 'dependency_unavailable')}`,
        security: BEARER,
        response: { 204: Type.Null({ description: 'Logged out' }), ...problems(...BODY_PROBLEMS, 401, 503) },
      },
    },
    async (request, reply) => {
      await app.sessions.end(request.user!)
      app.serviceEvents.recordSecurity(request, 'revocation', 'logout')
      return reply.code(204).send(null)
    },
  )
}

/** The session resource: log in, refresh, log out. */
export const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await loginRoute(app, {})
  await refreshRoute(app, {})
  await logoutRoute(app, {})
}
