import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { BEARER, codes, problems, TAGS } from '../schemas.ts'

export const logoutRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/logout',
    {
      preHandler: app.authenticate,
      schema: {
        tags: TAGS,
        summary: 'End the session: this access token and its whole refresh-token family are revoked',
        description: `Refused by every service from then on. ${codes('unauthorized', 'token_revoked', 'dependency_unavailable')}`,
        security: BEARER,
        response: { 204: Type.Null({ description: 'Logged out' }), ...problems(401, 503) },
      },
    },
    async (request, reply) => {
      await app.sessions.end(request.user!)
      return reply.code(204).send(null)
    },
  )
}
