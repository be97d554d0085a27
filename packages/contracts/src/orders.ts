import { type Static, Type } from 'typebox'
import { CursorQuery, Id, page, Timestamp, Uuid } from './common.ts'

/**
 * `pending` → `awaiting_payment` (holds its unit until `pay_by`) → `paid`, or `expired` / `cancelled`
 * (the unit is back on sale); `failed` with a reason; `completed` when the payment window is zero.
 */
export const OrderStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('completed'),
  Type.Literal('failed'),
  Type.Literal('awaiting_payment'),
  Type.Literal('paid'),
  Type.Literal('expired'),
  Type.Literal('cancelled'),
])
export type OrderStatus = Static<typeof OrderStatus>

export const CreateOrderBody = Type.Object(
  { product_id: Id, quantity: Type.Integer({ minimum: 1, maximum: 100 }) },
  { additionalProperties: false },
)
export type CreateOrderBody = Static<typeof CreateOrderBody>

export const CreateOrderHeaders = Type.Object({
  /** IETF draft-ietf-httpapi-idempotency-key-header: same key + same body → same answer. */
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' }),
  ),
})

export const OrderAccepted = Type.Object(
  { order_uuid: Uuid, status: Type.Literal('pending') },
  {
    description:
      'The order is accepted and visible at its Location from now on; its status tells how it ends. A 202 ' +
      'is never taken back silently: an order whose pending row the database had not confirmed when ' +
      'this was answered ends `completed`, or `failed` with `failed_reason` `abandoned` (never placed, ' +
      'nothing charged). A 503 means no order was placed: retry.',
  },
)
export type OrderAccepted = Static<typeof OrderAccepted>

export const Order = Type.Object({
  order_uuid: Uuid,
  status: OrderStatus,
  product_id: Id,
  quantity: Type.Integer({ minimum: 1 }),
  total_price_cents: Type.Integer({ minimum: 0 }),
  failed_reason: Type.Union([Type.String(), Type.Null()], {
    description:
      'Why a `failed` order failed (null otherwise), e.g. `insufficient_stock`, `processing_failed`, or ' +
      '`abandoned`: accepted while the order database did not answer, and never placed; ' +
      "`sale_not_started` / `sale_ended`: written outside the product's sale window (nothing charged).",
  }),
  pay_by: Type.Union([Timestamp, Type.Null()], {
    description:
      'While `awaiting_payment`: the deadline of its payment (then it ends `expired` and its unit goes ' +
      'back on sale). Null for an order that never waited for a payment.',
  }),
  created_at: Timestamp,
  updated_at: Timestamp,
})
export type Order = Static<typeof Order>

export const OrderParams = Type.Object({ order_uuid: Uuid })
export type OrderParams = Static<typeof OrderParams>

export const OrderListQuery = CursorQuery
export const OrderPage = page(Order)
export type OrderPage = Static<typeof OrderPage>
