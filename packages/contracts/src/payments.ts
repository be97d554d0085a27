import { type Static, Type } from 'typebox'
import { Timestamp, Uuid } from './common.ts'

/**
 * The payment provider's webhook event, as our local provider (`npm run pay`) sends it: Stripe-shaped
 * (`id`, `type`, `data.object`). A real provider's adapter maps its own event onto `PaymentEvent`.
 */
export const PaymentWebhookBody = Type.Object({
  /** The provider's event id: a retried or replayed delivery carries the same one. */
  id: Type.String({ minLength: 1, maxLength: 255 }),
  type: Type.String({ minLength: 1, maxLength: 64 }),
  data: Type.Object({
    object: Type.Object({
      order_uuid: Uuid,
      amount_cents: Type.Integer({ minimum: 0 }),
      currency: Type.String({ pattern: '^[a-z]{3}$' }),
    }),
  }),
})
export type PaymentWebhookBody = Static<typeof PaymentWebhookBody>

/** The webhook's answer: what the delivery did (a duplicate says what the first one did). */
export const PaymentReceipt = Type.Object({
  received: Type.Literal(true),
  outcome: Type.Union([Type.Literal('applied'), Type.Literal('refund_due'), Type.Literal('refunded')]),
  duplicate: Type.Boolean(),
})
export type PaymentReceipt = Static<typeof PaymentReceipt>

export const Payment = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  provider: Type.String(),
  event_id: Type.String(),
  order_uuid: Uuid,
  amount_cents: Type.Integer({ minimum: 0 }),
  currency: Type.String(),
  outcome: Type.Union([Type.Literal('applied'), Type.Literal('refund_due'), Type.Literal('refunded')]),
  reason: Type.Union([Type.String(), Type.Null()], {
    description:
      'Why a payment was not applied: `late` (the order had expired, been cancelled or passed its ' +
      '`pay_by`), `already_paid`, `amount_mismatch`, `not_payable` (the order never waited for a payment).',
  }),
  created_at: Timestamp,
  updated_at: Timestamp,
})
export type Payment = Static<typeof Payment>

export const PaymentParams = Type.Object({ payment_id: Type.Integer({ minimum: 1 }) })
export type PaymentParams = Static<typeof PaymentParams>

export const PaymentListQuery = Type.Object({
  refund_due: Type.Optional(Type.Boolean({ description: 'Only payments still to be refunded' })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
})
export type PaymentListQuery = Static<typeof PaymentListQuery>

export const PaymentPage = Type.Object({
  data: Type.Array(Payment),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
})
export type PaymentPage = Static<typeof PaymentPage>

/** The signature header our local provider sends: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const PAYMENT_SIGNATURE_HEADER = 'flash-signature'

/**
 * The webhook secret `npm start` gives order-service when PAYMENT_WEBHOOK_SECRET is unset, and the one
 * `npm run pay` signs with by default: a development value, never a production one.
 */
export const DEV_PAYMENT_WEBHOOK_SECRET = 'dev-payment-webhook-secret-change-me'

/** The payment window `npm start` runs with when PAYMENT_WINDOW_SECONDS is unset (15 minutes). */
export const DEV_PAYMENT_WINDOW_SECONDS = 900
