import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { RegisterBody, RegisterResponse } from '@flash/contracts'
import { isDuplicateKey, transactionWithRetry } from '@flash/db'
import { blankField, emailTaken, weakPassword } from '../errors.ts'
import { passwordWeakness } from '../password-policy.ts'
import { insertUser, normalizeEmail } from '../repositories/users.ts'
import { noStore } from '@flash/service-kit'
import { BODY_PROBLEMS, codes, problems, TAGS } from '../schemas.ts'

export const registerRoute: FastifyPluginAsyncTypebox = async (app) => {
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
