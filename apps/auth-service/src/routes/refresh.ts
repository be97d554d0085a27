import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { RefreshBody, TokenPair } from '@flash/contracts'
import { noStore } from '@flash/service-kit'
import { BODY_PROBLEMS, codes, problems, TAGS } from '../schemas.ts'

export const refreshRoute: FastifyPluginAsyncTypebox = async (app) => {
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
