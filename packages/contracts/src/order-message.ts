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

/** The order columns a message is made from; MySQL may hand integers back as strings or bigints. */
export interface OrderMessageSource {
  order_uuid: string
  reservation_id: string
  product_id: number | string | bigint
  user_id: number | string | bigint
  quantity: number | string | bigint
}

/** The message for one order row: the intake sends it, the finalizer's stale sweep re-sends it. */
export function toOrderMessage(row: OrderMessageSource, requestId: string): OrderMessage {
  return {
    v: 1,
    order_uuid: row.order_uuid,
    reservation_id: row.reservation_id,
    product_id: Number(row.product_id),
    user_id: Number(row.user_id),
    quantity: Number(row.quantity),
    request_id: requestId,
  }
}
