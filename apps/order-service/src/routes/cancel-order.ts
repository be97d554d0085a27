import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Order, OrderParams } from '@flash/contracts'
import { markUnitsReturned } from '@flash/db'
import { orderNotCancellable, orderNotFound } from '../errors.ts'
import { cancelOrder } from '../repositories/cancel-order.ts'
import { findOrderByUuid, toOrder } from '../repositories/orders.ts'
import { BEARER, codes, problems, TAGS } from '../schemas.ts'

/**
 * `POST /api/orders/:order_uuid/cancel`: the owner cancels an order awaiting payment. MySQL decides
 * (status and stock in one transaction, under the order's lock); then the units go back into Redis
 * through inventory's idempotent return. If that call fails the answer is still 200 — MySQL has
 * cancelled — and the finalizer's expiry pass delivers the return (`units_returned_at` is its outbox).
 */
export const cancelOrderRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/orders/:order_uuid/cancel',
    {
      onRequest: app.authenticate,
      schema: {
        tags: TAGS,
        summary: 'Cancel my unpaid order',
        description: `An order \`awaiting_payment\` becomes \`cancelled\` and its units go back on sale. A repeat
answers the cancelled order again. A \`pending\` order is still being finalized: 409 with \`Retry-After\`
(cancel it once it awaits payment). Paid, completed, failed or expired orders cannot be cancelled (409).
Another buyer's order is not found. ${codes('validation_failed', 'unauthorized', 'order_not_found', 'order_not_cancellable', 'dependency_unavailable')}`,
        security: BEARER,
        params: OrderParams,
        response: { 200: Order, ...problems(400, 401, 404, 409, 503) },
      },
    },
    async (request) => {
      const outcome = await cancelOrder(app.db, request.params.order_uuid, request.user!.id)
      if (outcome.kind === 'not_found') throw orderNotFound()
      if (outcome.kind === 'refused') throw orderNotCancellable(outcome.order.status)
      const { order } = outcome
      if (outcome.now) {
        try {
          await app.inventory.settle(
            [
              {
                reservation_id: order.reservation_id,
                product_id: order.product_id,
                user_id: order.user_id,
                quantity: order.quantity,
                outcome: 'return',
              },
            ],
            String(request.id),
          )
          await markUnitsReturned(app.db, [order.id])
        } catch (error) {
          request.log.warn(
            { err: error, order_uuid: order.order_uuid },
            'unit return left to the expiry pass',
          )
        }
      }
      const row = await findOrderByUuid(app.db, order.order_uuid)
      return toOrder(row!)
    },
  )
}
