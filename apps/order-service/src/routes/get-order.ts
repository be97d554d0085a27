import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Order, OrderParams } from '@flash/contracts'
import { orderNotFound } from '../errors.ts'
import { findOrderByUuid, toOrder } from '../repositories/orders.ts'
import { BEARER, codes, problems, TAGS } from '../schemas.ts'

export const getOrderRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/orders/:order_uuid',
    {
      // Before body parsing and validation: an anonymous caller learns nothing and costs little.
      onRequest: app.authenticate,
      schema: {
        tags: TAGS,
        summary: 'One of my orders',
        description: `Visible from the moment it was accepted (status \`pending\`) until it is
\`completed\` or \`failed\` (with \`failed_reason\`). Another buyer's order is reported as not found.
${codes('validation_failed', 'unauthorized', 'order_not_found')}`,
        security: BEARER,
        params: OrderParams,
        response: { 200: Order, ...problems(400, 401, 404) },
      },
    },
    async (request) => {
      const row = await findOrderByUuid(app.db, request.params.order_uuid)
      // Someone else's order is indistinguishable from a missing one: uuids are not secrets to probe.
      if (!row || Number(row.user_id) !== request.user!.id) throw orderNotFound()
      return toOrder(row)
    },
  )
}
