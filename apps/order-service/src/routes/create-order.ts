import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CreateOrderBody, CreateOrderHeaders, OrderAccepted } from '@flash/contracts'
import type { FastifyReply } from 'fastify'
import { sendRefusal } from '../errors.ts'
import type { Answer } from '../intake/idempotent.ts'
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

function answer(reply: FastifyReply, { outcome, replayed }: Answer): FastifyReply {
  if (replayed) reply.header('idempotent-replayed', 'true')
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
