import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  CreateOrderBody,
  CreateOrderHeaders,
  ERROR_CODES,
  type ErrorCode,
  OrderAccepted,
} from '@flash/contracts'
import type { FastifyReply } from 'fastify'
import { type Refusal, sendRefusal } from '../errors.ts'
import { IdempotencyStore, type StoredAnswer } from '../plugins/idempotency.ts'
import { placeOrder } from '../place-order.ts'
import { BEARER, codes, problems, TAGS } from '../schemas.ts'
import { fastUuidV7 } from '../uuid.ts'

const DESCRIPTION = `Reserves stock and accepts the order for asynchronous finalisation (202 with a
\`Location\` header): poll \`GET /api/orders/{order_uuid}\` until it is \`completed\` or \`failed\`.
With an \`Idempotency-Key\`, a retry with the same body returns the original answer
(header \`idempotent-replayed: true\`); keys are kept 24 h. ${codes(
  'validation_failed',
  'unauthorized',
  'product_not_found',
  'out_of_stock',
  'per_user_limit_exceeded',
  'idempotency_request_in_flight',
  'idempotency_key_reused',
  'dependency_unavailable',
)}`

function answer(reply: FastifyReply, outcome: OrderAccepted | Refusal): FastifyReply {
  if ('refused' in outcome) return sendRefusal(reply, outcome.refused, outcome.detail)
  return reply.code(202).header('location', `/api/orders/${outcome.order_uuid}`).send(outcome)
}

export const createOrderRoute: FastifyPluginAsyncTypebox = async (app) => {
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
      const user = request.user!
      const { product_id: productId, quantity } = request.body
      const key = request.headers['idempotency-key']
      const input = { userId: user.id, productId, quantity, requestId: String(request.id), log: request.log }
      if (key === undefined) return answer(reply, await placeOrder(app, input))

      const fp = IdempotencyStore.fingerprint(request.body)
      const begun = await app.idempotency.begin(user.id, key, fp, fastUuidV7())
      if (begun.kind === 'replay') {
        reply.header('idempotent-replayed', 'true')
        const stored = begun.answer
        if ('body' in stored) return answer(reply, stored.body)
        return sendRefusal(reply, stored.code as ErrorCode, stored.detail)
      }
      let outcome: Awaited<ReturnType<typeof placeOrder>>
      try {
        outcome = await placeOrder(app, { ...input, orderUuid: begun.orderUuid })
      } catch (error) {
        // Only 5xx are thrown: free the key so the client's retry runs afresh.
        await app.idempotency.release(user.id, key).catch(() => {})
        throw error
      }
      const stored: StoredAnswer =
        'refused' in outcome
          ? { status: ERROR_CODES[outcome.refused], code: outcome.refused, detail: outcome.detail }
          : { status: 202, body: outcome }
      // If Redis fails here the entry stays in flight; after its lease a retry takes it over, finds
      // this order by its uuid and replays it — so the answer below is still the truth.
      await app.idempotency.complete(user.id, key, fp, stored).catch((error) => {
        request.log.warn({ err: error }, 'idempotency record not completed')
      })
      return answer(reply, outcome)
    },
  )
}
