import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { BEARER, BODY_PROBLEMS, codes, problems, TAGS } from '../schemas.ts'

export const logoutRoute: FastifyPluginAsyncTypebox = async (app) => {
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
