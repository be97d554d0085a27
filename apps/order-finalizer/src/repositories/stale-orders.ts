import type { Database } from '@flash/db'
import { type Kysely, sql } from 'kysely'

export interface StaleOrder {
  order_uuid: string
  reservation_id: string
  product_id: number
  user_id: number
  quantity: number
  request_id: string | null
}

/**
 * The oldest orders still pending after `olderThanMs`, at most `limit`: one range of the
 * (status, created_at) index, read in its order. The cut-off is on MySQL's clock, as created_at was
 * written: no instance's own clock (or zone) takes part.
 */
export function stalePendingOrders(
  db: Kysely<Database>,
  olderThanMs: number,
  limit: number,
): Promise<StaleOrder[]> {
  return db
    .selectFrom('orders')
    .select(['order_uuid', 'reservation_id', 'product_id', 'user_id', 'quantity', 'request_id'])
    .where('status', '=', 'pending')
    .where('created_at', '<', sql<Date>`current_timestamp(3) - interval ${olderThanMs * 1000} microsecond`)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute()
}
