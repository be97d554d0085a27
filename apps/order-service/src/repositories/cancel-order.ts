import { type Database, endUnpaidOrders, lockOrderByUuid, type ReturnedOrder } from '@flash/db'
import type { Kysely } from 'kysely'

export type CancelOutcome =
  | { kind: 'not_found' }
  /** Cancelled now (its units are back in MySQL stock) or earlier (a repeat changes nothing). */
  | { kind: 'cancelled'; order: ReturnedOrder; now: boolean }
  | { kind: 'refused'; order: ReturnedOrder }

/**
 * The buyer's cancel, under the order row's lock: only the owner's `awaiting_payment` order moves, to
 * `cancelled`, with its units back in `products.stock` in the same transaction (endUnpaidOrders). A
 * payment, the expiry pass or a second cancel that took the lock first decides instead. Another
 * buyer's order is reported as not found.
 */
export async function cancelOrder(
  db: Kysely<Database>,
  orderUuid: string,
  userId: number,
): Promise<CancelOutcome> {
  return db
    .transaction()
    .setIsolationLevel('read committed')
    .execute(async (trx) => {
      const order = await lockOrderByUuid(trx, orderUuid)
      if (!order || order.user_id !== userId) return { kind: 'not_found' as const }
      if (order.status === 'cancelled') return { kind: 'cancelled' as const, order, now: false }
      if (order.status !== 'awaiting_payment') return { kind: 'refused' as const, order }
      const [cancelled] = await endUnpaidOrders(trx, [order], 'cancelled')
      return { kind: 'cancelled' as const, order: cancelled!, now: true }
    })
}
