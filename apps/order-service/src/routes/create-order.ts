import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  CreateOrderBody,
  CreateOrderHeaders,
  ERROR_CODES,
  type ErrorCode,
  OrderAccepted,
} from '@flash/contracts'
import { newUuid } from '@flash/db'
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify'
import { idempotencyKeyReused, type Refusal, sendRefusal, unavailable } from '../errors.ts'
import { findEarlierAttempt, type TakenOverKey } from '../earlier-attempt.ts'
import { acceptExisting, type IntakeTimeouts, placeOrder } from '../place-order.ts'
import { IdempotencyStore, type StoredAnswer } from '../plugins/idempotency.ts'
import { findOrderByIdempotencyKey } from '../repositories/orders.ts'
import { BEARER, codes, problems, TAGS } from '../schemas.ts'

const DESCRIPTION = `Reserves stock and accepts the order for asynchronous finalisation (202 with a
\`Location\` header): poll \`GET /api/orders/{order_uuid}\` until it is \`completed\` or \`failed\`.
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
  'idempotency_request_in_flight',
  'idempotency_key_reused',
  'dependency_unavailable',
)}`

function answer(reply: FastifyReply, outcome: OrderAccepted | Refusal): FastifyReply {
  if ('refused' in outcome) return sendRefusal(reply, outcome.refused, outcome.detail)
  return reply.code(202).header('location', `/api/orders/${outcome.order_uuid}`).send(outcome)
}

/**
 * A fresh claim (Redis had no record) ending in a refusal: if Redis may have lost its records, the
 * order row is the durable one — an order placed under this key is the answer, not "sold out".
 */
async function durableReplay(
  app: FastifyInstance,
  userId: number,
  key: string,
  fp: string,
  log: FastifyBaseLogger,
): Promise<OrderAccepted | undefined> {
  try {
    if (!(await app.idempotency.mayHaveForgotten())) return undefined
    const row = await findOrderByIdempotencyKey(app.db, userId, key)
    if (!row) return undefined
    if (row.idempotency_fp !== fp) throw idempotencyKeyReused()
    return { order_uuid: row.order_uuid, status: 'pending' }
  } catch (error) {
    if ((error as { code?: string }).code === 'idempotency_key_reused') throw error
    // The refusal stands: nothing was placed by this attempt either way.
    log.warn({ err: error }, 'durable idempotency check failed')
    return undefined
  }
}

/** A MySQL that cannot say what the earlier attempt left is a 503: nothing was reserved yet. */
async function lookUpEarlierAttempt(app: FastifyInstance, taken: TakenOverKey, timeoutMs: number) {
  try {
    return await findEarlierAttempt(app, taken, timeoutMs)
  } catch (error) {
    if ((error as { code?: string }).code === 'idempotency_key_reused') throw error
    throw unavailable('The order database', error)
  }
}

export const createOrderRoute: FastifyPluginAsyncTypebox<IntakeTimeouts> = async (app, timeouts) => {
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
      if (key === undefined) return answer(reply, await placeOrder(app, input, timeouts))

      const fp = IdempotencyStore.fingerprint(request.body)
      let begun: Awaited<ReturnType<typeof app.idempotency.begin>>
      try {
        begun = await app.idempotency.begin(user.id, key, fp, newUuid())
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode) throw error // 409 in flight, 422 reused
        throw unavailable('The idempotency store', error)
      }
      if (begun.kind === 'replay') {
        reply.header('idempotent-replayed', 'true')
        const stored = begun.answer
        if ('body' in stored) return answer(reply, stored.body)
        return sendRefusal(reply, stored.code as ErrorCode, stored.detail)
      }
      let outcome: Awaited<ReturnType<typeof placeOrder>>
      try {
        let orderUuid = begun.orderUuid
        if (!begun.fresh) {
          // A takeover: the attempt that held the key may have placed the order (MySQL says).
          const earlier = await lookUpEarlierAttempt(
            app,
            { userId: user.id, productId, quantity, key, fp, orderUuid },
            timeouts.writeMs,
          )
          if (earlier.kind === 'order') {
            reply.header('idempotent-replayed', 'true')
            const accepted = await acceptExisting(app, input, earlier.row)
            await app.idempotency.complete(user.id, key, begun.owner, fp, { status: 202, body: accepted })
            return answer(reply, accepted)
          }
          orderUuid = earlier.orderUuid
        }
        outcome = await placeOrder(app, { ...input, orderUuid, idempotency: { key, fp } }, timeouts)
        if ('refused' in outcome && begun.fresh) {
          const original = await durableReplay(app, user.id, key, fp, request.log)
          if (original) {
            outcome = original
            reply.header('idempotent-replayed', 'true')
          }
        }
      } catch (error) {
        // 5xx (and a 422 found in MySQL): free the key so the client's retry runs afresh. The order
        // row, if one was written, still holds the key: that retry finds it instead of doubling it.
        await app.idempotency.release(user.id, key, begun.owner)
        throw error
      }
      const stored: StoredAnswer =
        'refused' in outcome
          ? { status: ERROR_CODES[outcome.refused], code: outcome.refused, detail: outcome.detail }
          : { status: 202, body: outcome }
      // If Redis fails here the record is retried until Redis takes it; a retry meanwhile is told the
      // key is in flight (or, after the lease, takes it over, finds this order by its uuid and replays
      // it) — so the answer below is still the truth.
      await app.idempotency.complete(user.id, key, begun.owner, fp, stored)
      return answer(reply, outcome)
    },
  )
}
