import type { Order } from '@flash/contracts'
import type { Database, OrderRow } from '@flash/db'
import type { Kysely, Transaction } from 'kysely'

type Db = Kysely<Database> | Transaction<Database>

/**
 * Undo an intake whose SQS send failed. Only a still-pending row is deleted: if the finalizer got the
 * message after all (the send timed out but arrived) and already settled the order, it stays — the
 * row lock serialises the two, so exactly one of "deleted" or "finalised" happens.
 */
export async function deletePendingOrder(db: Db, orderUuid: string): Promise<boolean> {
  const result = await db
    .deleteFrom('orders')
    .where('order_uuid', '=', orderUuid)
    .where('status', '=', 'pending')
    .executeTakeFirst()
  return result.numDeletedRows > 0n
}

export async function findOrderByUuid(db: Db, orderUuid: string): Promise<OrderRow | undefined> {
  return db.selectFrom('orders').selectAll().where('order_uuid', '=', orderUuid).executeTakeFirst()
}

/** The buyer's orders, newest first, `limit` rows whose id is below `beforeId` (keyset pagination). */
export async function listOrdersByUser(
  db: Db,
  userId: number,
  beforeId: number | undefined,
  limit: number,
): Promise<OrderRow[]> {
  let query = db.selectFrom('orders').selectAll().where('user_id', '=', userId)
  if (beforeId !== undefined) query = query.where('id', '<', beforeId)
  return query.orderBy('id', 'desc').limit(limit).execute()
}

/** Rows become API objects here and only here. */
export function toOrder(row: OrderRow): Order {
  return {
    order_uuid: row.order_uuid,
    status: row.status,
    product_id: Number(row.product_id),
    quantity: Number(row.quantity),
    total_price_cents: Number(row.total_price_cents),
    failed_reason: row.failed_reason,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}
