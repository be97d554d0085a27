import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Payment, PaymentListQuery, PaymentPage, PaymentParams, PaymentReceipt } from '@flash/contracts'
import {
  invalidCursor,
  paymentNotFound,
  paymentNotRefundable,
  paymentsDisabled,
  webhookRejected,
} from '../errors.ts'
import type { PaymentProvider } from '../payments/provider.ts'
import { listPayments, markRefunded, recordPayment, toPayment } from '../repositories/payments.ts'
import { BEARER, codes, problems } from '../schemas.ts'

export interface PaymentRoutesOptions {
  /** undefined: payments are not configured (no webhook secret). */
  provider: PaymentProvider | undefined
}

const TAGS = ['payments']

/**
 * The payment provider's webhook and the admin's view of payments. The webhook reads the raw body (the
 * signature covers its exact bytes), so this plugin swaps the JSON parser for a buffer in its own
 * encapsulation context only.
 */
export const paymentRoutes: FastifyPluginAsyncTypebox<PaymentRoutesOptions> = async (app, options) => {
  const { provider } = options
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  )

  app.post(
    '/api/payments/webhook',
    {
      schema: {
        tags: TAGS,
        summary: 'Payment provider webhook (signed)',
        description: `Called by the payment provider, not by buyers. The \`flash-signature\` header is
\`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>\`; a delivery with a bad signature, a
timestamp outside the tolerance, a body that is not a succeeded payment, or an unknown order is refused
with one answer (which check failed is not said). Idempotent by the event \`id\`: a redelivery answers 200
with \`duplicate: true\` and the first outcome. 200 is sent only after the payment is committed. A payment
the order can no longer take (expired, cancelled, already paid, past \`pay_by\`, wrong amount) leaves the
order as it is and is recorded \`refund_due\`. The body (our local provider's, Stripe-shaped):
\`{"id": "evt_…", "type": "payment_intent.succeeded", "data": {"object": {"order_uuid", "amount_cents",
"currency"}}}\`; it is read raw, so the document shows no schema for it. ${codes('webhook_rejected', 'payments_disabled', 'dependency_unavailable')}`,
        response: { 200: PaymentReceipt, ...problems(400, 413, 415, 503) },
      },
    },
    async (request) => {
      if (!provider) throw paymentsDisabled()
      const raw = request.body
      if (!Buffer.isBuffer(raw)) throw webhookRejected()
      const nowSeconds = Math.floor(Date.now() / 1000)
      if (!provider.verify(raw, request.headers, nowSeconds)) throw webhookRejected()
      const event = provider.parse(raw)
      if (!event) throw webhookRejected()
      const recorded = await recordPayment(app.db, provider.name, event)
      if (!recorded.found) throw webhookRejected()
      request.log.info(
        {
          order_uuid: event.orderUuid,
          event_id: event.eventId,
          outcome: recorded.outcome,
          reason: recorded.reason,
        },
        recorded.duplicate ? 'payment event redelivered' : 'payment recorded',
      )
      return { received: true as const, outcome: recorded.outcome, duplicate: recorded.duplicate }
    },
  )

  app.get(
    '/api/admin/payments',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: TAGS,
        summary: 'Payments, newest first (admin)',
        description: `\`refund_due=true\` lists the payments to refund: they arrived after their order expired
or was cancelled, paid an order twice, or did not match it. Cursor pagination.
${codes('validation_failed', 'unauthorized', 'forbidden')}`,
        security: BEARER,
        querystring: PaymentListQuery,
        response: { 200: PaymentPage, ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20
      const before = decodeCursor(request.query.cursor)
      const rows = await listPayments(app.db, {
        refundDue: request.query.refund_due === true,
        beforeId: before,
        limit: limit + 1,
      })
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      return {
        data: page.map(toPayment),
        next_cursor: rows.length > limit && last ? Buffer.from(String(last.id)).toString('base64url') : null,
      }
    },
  )

  app.post(
    '/api/admin/payments/:payment_id/refunded',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: TAGS,
        summary: 'Mark a payment refunded (admin)',
        description: `The refund of a \`refund_due\` payment was made at the provider: the payment becomes
\`refunded\` and leaves the \`refund_due=true\` list. A repeat answers the refunded payment again. A
payment that was applied to its order cannot be marked refunded (409): cancel the order instead. No
request body. ${codes('validation_failed', 'unauthorized', 'forbidden', 'payment_not_found', 'payment_not_refundable', 'dependency_unavailable')}`,
        security: BEARER,
        params: PaymentParams,
        response: { 200: Payment, ...problems(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const marked = await markRefunded(app.db, request.params.payment_id)
      if (marked.kind === 'not_found') throw paymentNotFound()
      if (marked.kind === 'applied') throw paymentNotRefundable()
      // Money moved outside the system on an admin's word: keep who and which in the log.
      request.log.info(
        { payment_id: marked.payment.id, order_uuid: marked.payment.order_uuid, admin_id: request.user!.id },
        'payment marked refunded',
      )
      return toPayment(marked.payment)
    },
  )
}

function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined
  const text = Buffer.from(cursor, 'base64url').toString()
  const id = /^[1-9]\d{0,15}$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(id)) throw invalidCursor()
  return id
}
