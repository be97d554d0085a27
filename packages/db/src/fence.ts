import type { Db } from './executor.ts'
import type { NewOrder, OrderRow } from './schema.ts'
import { newUuid } from './uuid.ts'

/** `failed_reason` of a fence row: the order was never placed (no row of it ever landed). */
export const ABANDONED = 'abandoned'

/**
 * Claims a reservation id (and an order uuid) in `orders` with a `failed` row, unless a row already
 * holds either: the unique keys decide atomically against an intake INSERT stalled somewhere — if that
 * INSERT landed first the fence is ignored, if the fence landed first the late INSERT fails as a
 * duplicate. Written by order-service (under the intake's own uuid, once MySQL answers again; under the earlier
 * attempt's uuid when an Idempotency-Key is taken over) and by
 * inventory's sweeper (under a new uuid, before it releases an expired reservation). No Idempotency-Key:
 * the buyer's retry must run afresh.
 */
export async function writeFence(
  db: Db,
  row: Pick<NewOrder, 'reservation_id' | 'user_id' | 'product_id' | 'quantity'> & { order_uuid?: string },
): Promise<void> {
  await db
    .insertInto('orders')
    .ignore()
    .values({
      order_uuid: row.order_uuid ?? newUuid(),
      reservation_id: row.reservation_id,
      user_id: row.user_id,
      product_id: row.product_id,
      quantity: row.quantity,
      total_price_cents: 0,
      status: 'failed',
      failed_reason: ABANDONED,
    })
    .execute()
}

/** A fence row: no order anyone was charged for (its intake answered 503, or 202 and then this). */
export const isFence = (row: Pick<OrderRow, 'status' | 'failed_reason'>): boolean =>
  row.status === 'failed' && row.failed_reason === ABANDONED
