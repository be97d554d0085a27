import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Jwks } from '@flash/contracts'

/** Verifiers cache the key set this long; rotate by publishing the new key ahead of using it. */
const MAX_AGE_SECONDS = 300

export const jwksRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: ['keys'],
        summary: 'Public keys that verify access tokens (Ed25519, EdDSA)',
        response: { 200: Jwks },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', `public, max-age=${MAX_AGE_SECONDS}`)
      return app.signingKeys.jwks
    },
  )
}
