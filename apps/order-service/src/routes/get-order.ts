import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Order, OrderParams } from '@flash/contracts'
import { orderNotFound, unavailable } from '../errors.ts'
import { findOrderByReservation, findOrderByUuid, toOrder } from '../repositories/orders.ts'
import { unconfirmedOrder } from '../unconfirmed-orders.ts'
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
\`completed\` or \`failed\` (with \`failed_reason\`). An order accepted while the order database did
not answer is \`pending\` until it does, then \`completed\`, or \`failed\` with \`failed_reason\`
\`abandoned\` (it was never placed: nothing is charged, its units are back on sale). Another buyer's
order is reported as not found. ${codes('validation_failed', 'unauthorized', 'order_not_found', 'dependency_unavailable')}`,
        security: BEARER,
        params: OrderParams,
        response: { 200: Order, ...problems(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const userId = request.user!.id
      const orderUuid = request.params.order_uuid
      const row = await findOrderByUuid(app.db, orderUuid)
      // Someone else's order is indistinguishable from a missing one: uuids are not secrets to probe.
      if (row) {
        if (Number(row.user_id) !== userId) throw orderNotFound()
        return toOrder(row)
      }
      // Accepted while its INSERT went unanswered: its row may not be readable yet (or ever: fenced).
      const accepted = await app.unconfirmedOrders.find(orderUuid).catch((error) => {
        // Not knowing is not "not found": the order may be one the buyer was told was accepted.
        throw unavailable('The order store', error)
      })
      if (!accepted || accepted.user_id !== userId) throw orderNotFound()
      const byReservation = await findOrderByReservation(app.db, accepted.reservation_id)
      // The row landed since the first read.
      if (byReservation?.order_uuid === orderUuid) return toOrder(byReservation)
      return unconfirmedOrder(accepted, byReservation)
    },
  )
}
