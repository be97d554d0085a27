import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { RegisterBody, RegisterResponse, UserView } from '@flash/contracts'
import { isDuplicateKey, transactionWithRetry } from '@flash/db'
import { blankField, emailTaken, unknownUser, weakPassword } from '../errors.ts'
import { passwordWeakness } from '../passwords/password-policy.ts'
import { findUserById, insertUser, normalizeEmail, toUserView } from '../repositories/users.ts'
import { noStore } from '@flash/service-kit'
import { BEARER, BODY_PROBLEMS, codes, problems, TAGS } from '../schemas.ts'

const registerRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/register',
    {
      config: { rateLimit: {} },
      onRequest: noStore,
      schema: {
        tags: TAGS,
        summary: 'Create a customer account and log it in',
        description: `Email is unique case-insensitively. The password (8–128 characters) must not be a common or breached one, one repeated character, only blanks, or the email or name. ${codes('validation_failed', 'email_taken', 'rate_limited', 'overloaded')}`,
        body: RegisterBody,
        response: { 201: RegisterResponse, ...problems(...BODY_PROBLEMS, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      const name = request.body.name.trim()
      if (!name) throw blankField('name')
      const email = normalizeEmail(request.body.email)
      const weakness = passwordWeakness(request.body.password, { email, name })
      if (weakness) throw weakPassword(weakness)
      const passwordHash = await app.passwords.hash(request.body.password)
      try {
        // One transaction: a failure after the user row leaves no half-registered account behind.
        const result = await transactionWithRetry(app.db, async (trx) => {
          const id = await insertUser(trx, { name, email, passwordHash })
          const tokens = await app.sessions.start(trx, { id, role: 'customer' })
          return { user: { id, name, email, role: 'customer' as const }, ...tokens }
        })
        return reply.code(201).send(result)
      } catch (error) {
        // The unique key decides races: of two concurrent sign-ups with one email, one gets 409.
        if (isDuplicateKey(error)) throw emailTaken()
        throw error
      }
    },
  )
}

const meRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/me',
    {
      onRequest: [app.authenticate, noStore],
      schema: {
        tags: TAGS,
        summary: 'The authenticated account',
        description: codes('unauthorized', 'token_revoked'),
        security: BEARER,
        response: { 200: UserView, ...problems(401) },
      },
    },
    async (request) => {
      const user = await findUserById(app.db, request.user!.id)
      if (!user) throw unknownUser()
      return toUserView(user)
    },
  )
}

/** The user resource: register, read oneself. */
export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await registerRoute(app, {})
  await meRoute(app, {})
}
