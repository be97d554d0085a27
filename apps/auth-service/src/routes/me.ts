import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { UserView } from '@flash/contracts'
import { unknownUser } from '../errors.ts'
import { findUserById, toUserView } from '../repositories/users.ts'
import { noStore } from '@flash/service-kit'
import { BEARER, codes, problems, TAGS } from '../schemas.ts'

export const meRoute: FastifyPluginAsyncTypebox = async (app) => {
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
