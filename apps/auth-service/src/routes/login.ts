import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { LoginBody, TokenPair } from '@flash/contracts'
import { accountThrottled, invalidCredentials } from '../errors.ts'
import { findUserByEmail, updatePasswordHash } from '../repositories/users.ts'
import { noStore } from '@flash/service-kit'
import { BODY_PROBLEMS, codes, problems, TAGS } from '../schemas.ts'

export const loginRoute: FastifyPluginAsyncTypebox = async (app) => {
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
