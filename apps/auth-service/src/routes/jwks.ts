import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Jwks } from '@flash/contracts'
import { codes, problems } from '../schemas.ts'

/** Verifiers cache the key set this long; rotate by publishing the new key ahead of using it. */
const MAX_AGE_SECONDS = 300

export const jwksRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/.well-known/jwks.json',
    {
      // Per client address like the credential routes: a verifier fetches it at start and on an
      // unknown `kid` (at most every 30 s), so only a flood reaches the limit.
      config: { rateLimit: {} },
      schema: {
        tags: ['keys'],
        summary: 'Public keys that verify access tokens (Ed25519, EdDSA)',
        description: codes('rate_limited'),
        response: { 200: Jwks, ...problems(429) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', `public, max-age=${MAX_AGE_SECONDS}`)
      return app.signingKeys.jwks
    },
  )
}
