import { type Static, Type } from 'typebox'
import { Id, Uuid } from './common.ts'

/**
 * The SQS message order-service sends for every accepted order. Versioned so a finalizer can
 * refuse (and dead-letter) a shape it does not understand instead of guessing.
 */
export const OrderMessage = Type.Object({
  v: Type.Literal(1),
  order_uuid: Uuid,
  reservation_id: Uuid,
  product_id: Id,
  user_id: Id,
  quantity: Type.Integer({ minimum: 1, maximum: 100 }),
  /** Request id of the HTTP request that created the order, for log correlation. */
  request_id: Type.String({ maxLength: 200 }),
})
export type OrderMessage = Static<typeof OrderMessage>
