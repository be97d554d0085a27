import { type Static, Type } from 'typebox'
import { CursorQuery, Id, page, Timestamp, Uuid } from './common.ts'

export const OrderStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('completed'),
  Type.Literal('failed'),
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
  created_at: Timestamp,
  updated_at: Timestamp,
})
export type Order = Static<typeof Order>

export const OrderParams = Type.Object({ order_uuid: Uuid })
export type OrderParams = Static<typeof OrderParams>

export const OrderListQuery = CursorQuery
export const OrderPage = page(Order)
export type OrderPage = Static<typeof OrderPage>
