import { type Kysely, sql, type Transaction } from 'kysely'
import type { Database, OrderStatus } from './schema.ts'

/** An order whose units went back into stock, as the Redis return step needs it. */
export interface ReturnedOrder {
  id: number
  order_uuid: string
  reservation_id: string
  product_id: number
  user_id: number
  quantity: number
  status: OrderStatus
}

const now = sql<Date>`current_timestamp(3)`

/**
 * Ends unpaid orders the caller has locked (`FOR UPDATE`, ascending id) as `expired` or `cancelled`
 * and puts their units back into `products.stock`, in the caller's transaction: the status change and
 * the stock change commit together or not at all, so a unit comes back exactly once. Products are
 * locked after the orders, in ascending id (the finalizer's lock order: no cycle). Only rows still
 * `awaiting_payment` move: a payment that took the lock first leaves its order paid and its unit sold.
 * Returns the orders that moved. Shared by order-service (cancel) and order-finalizer (expiry).
 */
export async function endUnpaidOrders(
  trx: Transaction<Database>,
  locked: ReturnedOrder[],
  status: 'expired' | 'cancelled',
): Promise<ReturnedOrder[]> {
  const unpaid = locked.filter((o) => o.status === 'awaiting_payment')
  if (unpaid.length === 0) return []
  const units = new Map<number, number>()
  for (const o of unpaid) units.set(o.product_id, (units.get(o.product_id) ?? 0) + o.quantity)
  const productIds = [...units.keys()].sort((a, b) => a - b)
  await trx
    .selectFrom('products')
    .select('id')
    .where('id', 'in', productIds)
    .orderBy('id')
    .forUpdate()
    .execute()
  for (const productId of productIds) {
    await trx
      .updateTable('products')
      .set({ stock: sql`stock + ${units.get(productId)!}`, updated_at: now })
      .where('id', '=', productId)
      .execute()
  }
  const result = await trx
    .updateTable('orders')
    .set({ status, updated_at: now })
    .where(
      'id',
      'in',
      unpaid.map((o) => o.id),
    )
    .where('status', '=', 'awaiting_payment')
    .executeTakeFirst()
  // The rows are ours under the lock: anything else means the caller did not lock them.
  if (Number(result.numUpdatedRows) !== unpaid.length)
    throw new Error('unpaid orders changed under their lock')
  return unpaid.map((o) => ({ ...o, status }))
}

const RETURNED_COLUMNS = [
  'id',
  'order_uuid',
  'reservation_id',
  'product_id',
  'user_id',
  'quantity',
  'status',
] as const

function toReturned(row: {
  id: number
  order_uuid: string
  reservation_id: string
  product_id: number
  user_id: number
  quantity: number
  status: OrderStatus
}): ReturnedOrder {
  return {
    id: Number(row.id),
    order_uuid: row.order_uuid,
    reservation_id: row.reservation_id,
    product_id: Number(row.product_id),
    user_id: Number(row.user_id),
    quantity: Number(row.quantity),
    status: row.status,
  }
}

/** Locks one order by uuid (for a cancel or a payment), or undefined when there is none. */
export async function lockOrderByUuid(
  trx: Transaction<Database>,
  orderUuid: string,
): Promise<ReturnedOrder | undefined> {
  const row = await trx
    .selectFrom('orders')
    .select(RETURNED_COLUMNS)
    .where('order_uuid', '=', orderUuid)
    .forUpdate()
    .executeTakeFirst()
  return row ? toReturned(row) : undefined
}

/**
 * Expires up to `limit` orders whose `pay_by` has passed (MySQL's clock), in one transaction. SKIP
 * LOCKED: several expiry workers share the due rows without waiting on each other, and a row a payment
 * holds is left to it — once it commits the row is paid and no longer due.
 */
export async function expireDueOrders(db: Kysely<Database>, limit: number): Promise<ReturnedOrder[]> {
  return db
    .transaction()
    .setIsolationLevel('read committed')
    .execute(async (trx) => {
      const rows = await trx
        .selectFrom('orders')
        .select(RETURNED_COLUMNS)
        .where('status', '=', 'awaiting_payment')
        .where('pay_by', '<=', now)
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute()
      return endUnpaidOrders(trx, rows.map(toReturned), 'expired')
    })
}

/** Expired and cancelled orders whose units Redis has not confirmed back yet (the return's outbox). */
export async function ordersOwedReturn(db: Kysely<Database>, limit: number): Promise<ReturnedOrder[]> {
  const rows = await db
    .selectFrom('orders')
    .select(RETURNED_COLUMNS)
    .where('status', 'in', ['expired', 'cancelled'])
    .where('units_returned_at', 'is', null)
    .orderBy('id')
    .limit(limit)
    .execute()
  return rows.map(toReturned)
}

/** Records that inventory-service confirmed these orders' units are back in Redis. */
export async function markUnitsReturned(db: Kysely<Database>, ids: number[]): Promise<void> {
  if (ids.length === 0) return
  await db
    .updateTable('orders')
    .set({ units_returned_at: now })
    .where('id', 'in', ids)
    .where('units_returned_at', 'is', null)
    .execute()
}
