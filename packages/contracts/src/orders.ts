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

export const OrderAccepted = Type.Object({ order_uuid: Uuid, status: Type.Literal('pending') })
export type OrderAccepted = Static<typeof OrderAccepted>

export const Order = Type.Object({
  order_uuid: Uuid,
  status: OrderStatus,
  product_id: Id,
  quantity: Type.Integer({ minimum: 1 }),
  total_price_cents: Type.Integer({ minimum: 0 }),
  failed_reason: Type.Union([Type.String(), Type.Null()]),
  created_at: Timestamp,
  updated_at: Timestamp,
})
export type Order = Static<typeof Order>

export const OrderParams = Type.Object({ order_uuid: Uuid })
export type OrderParams = Static<typeof OrderParams>

export const OrderListQuery = CursorQuery
export const OrderPage = page(Order)
export type OrderPage = Static<typeof OrderPage>
