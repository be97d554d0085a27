import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  CreateOrderBody,
  CreateOrderHeaders,
  Order,
  OrderAccepted,
  OrderListQuery,
  OrderPage,
  OrderParams,
} from '@flash/contracts'
import type { FastifyReply } from 'fastify'
import { invalidCursor, orderNotFound, sendRefusal, unavailable } from '../errors.ts'
import type { Answer } from '../intake/idempotent.ts'
import { BEARER, codes, problems, TAGS } from '../schemas.ts'
import { findOrderByReservation, findOrderByUuid, listOrdersByUser, toOrder } from '../repositories/orders.ts'
import { unconfirmedOrder } from '../intake/unconfirmed-orders.ts'

const DESCRIPTION = `Reserves stock and accepts the order for asynchronous finalisation (202 with a
\`Location\` header): poll \`GET /api/orders/{order_uuid}\` until it is \`awaiting_payment\` (pay before
\`pay_by\`), \`completed\` (no payment window) or \`failed\`.
A 202 is the truth even when the order database did not confirm the order in time: the order is then
\`pending\` until it does, and ends \`completed\` or \`failed\` with \`failed_reason\` \`abandoned\`
(never placed, nothing charged). A 503 (\`dependency_unavailable\`, with \`Retry-After\`) means no order
was placed and none will be: retry. With an \`Idempotency-Key\`, a retry with the same body returns the original answer
(header \`idempotent-replayed: true\`); keys are kept 24 h, and a key that placed an order never places a
second one. ${codes(
  'validation_failed',
  'unauthorized',
  'product_not_found',
  'out_of_stock',
  'per_user_limit_exceeded',
  'sale_not_started',
  'sale_ended',
  'idempotency_request_in_flight',
  'idempotency_key_reused',
  'dependency_unavailable',
)}`

function answer(reply: FastifyReply, { outcome, replayed }: Answer): FastifyReply {
  if (replayed) reply.header('idempotent-replayed', 'true')
  if ('refused' in outcome) return sendRefusal(reply, outcome.refused, outcome.detail, outcome.retryAfter)
  return reply.code(202).header('location', `/api/orders/${outcome.order_uuid}`).send(outcome)
}

const createOrderRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/orders',
    {
      // Before body parsing and validation: an anonymous caller learns nothing and costs little.
      onRequest: app.authenticate,
      schema: {
        tags: TAGS,
        summary: 'Place an order',
        description: DESCRIPTION,
        security: BEARER,
        headers: CreateOrderHeaders,
        body: CreateOrderBody,
        response: {
          202: OrderAccepted,
          ...problems(400, 401, 404, 409, 413, 415, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const { product_id: productId, quantity } = request.body
      const input = {
        userId: request.user!.id,
        productId,
        quantity,
        requestId: String(request.id),
        log: request.log,
      }
      return answer(reply, await app.intake.take(input, request.headers['idempotency-key']))
    },
  )
}

const getOrderRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/orders/:order_uuid',
    {
      // Before body parsing and validation: an anonymous caller learns nothing and costs little.
      onRequest: app.authenticate,
      schema: {
        tags: TAGS,
        summary: 'One of my orders',
        description: `Visible from the moment it was accepted (status \`pending\`). Then
\`awaiting_payment\` (its unit held until \`pay_by\`) and \`paid\`, \`expired\` or \`cancelled\` (the unit back
on sale); \`completed\` where the payment window is zero; or \`failed\` (with \`failed_reason\`). An order accepted while the order database did
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
      const accepted = await app.intake.unconfirmed.find(orderUuid).catch((error) => {
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

/** Cursors are opaque to clients: base64url of the last id seen. */
const encodeCursor = (id: number) => Buffer.from(String(id)).toString('base64url')

function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined
  const text = Buffer.from(cursor, 'base64url').toString()
  const id = /^[1-9]\d{0,15}$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(id)) throw invalidCursor()
  return id
}

const listOrdersRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/orders',
    {
      // Before body parsing and validation: an anonymous caller learns nothing and costs little.
      onRequest: app.authenticate,
      schema: {
        tags: TAGS,
        summary: 'My orders, newest first',
        description: `Cursor pagination: pass \`next_cursor\` back as \`cursor\` until it is null.
${codes('validation_failed', 'unauthorized')}`,
        security: BEARER,
        querystring: OrderListQuery,
        response: { 200: OrderPage, ...problems(400, 401) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20
      const before = decodeCursor(request.query.cursor)
      // One extra row tells whether another page exists without a COUNT.
      const rows = await listOrdersByUser(app.db, request.user!.id, before, limit + 1)
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      return {
        data: page.map(toOrder),
        next_cursor: rows.length > limit && last ? encodeCursor(Number(last.id)) : null,
      }
    },
  )
}

/** The orders resource: place one, read one, list the buyer's own. */
export const orderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await createOrderRoute(app, {})
  await getOrderRoute(app, {})
  await listOrdersRoute(app, {})
}
