import type { Database, OrderStatus } from '@flash/db'
import { type Kysely, sql, type Transaction } from 'kysely'

type Db = Kysely<Database> | Transaction<Database>

/** What the transaction found or decided for one order (row values, never the message's). */
export interface SettledOrder {
  order_uuid: string
  reservation_id: string
  product_id: number
  user_id: number
  quantity: number
  status: OrderStatus
  /** True when this transaction made the pending → terminal transition. */
  changed: boolean
}

export interface FinalizeResult {
  orders: SettledOrder[]
  /** Order uuids with no row: rolled back by the intake (which also released the reservation). */
  missing: string[]
}

const now = sql<Date>`current_timestamp(3)`

/**
 * One transaction for a batch: lock the products (ascending id, so concurrent batches never
 * deadlock), then the orders; decide each still-pending order in id order against the locked stock;
 * write one conditional stock UPDATE per product and at most two order UPDATEs. The pending →
 * terminal transition under the row lock is the exactly-once guard: a redelivered message finds its
 * order terminal and changes nothing.
 */
export async function finalizeOrders(
  db: Kysely<Database>,
  orderUuids: string[],
  productIds: number[],
): Promise<FinalizeResult> {
  return db.transaction().execute(async (trx) => {
    const ids = [...new Set(productIds)].sort((a, b) => a - b)
    const products = await trx
      .selectFrom('products')
      .select(['id', 'stock'])
      .where('id', 'in', ids)
      .orderBy('id')
      .forUpdate()
      .execute()
    const rows = await lockOrders(trx, orderUuids)

    const stock = new Map(products.map((p) => [Number(p.id), Number(p.stock)]))
    const taken = new Map<number, number>()
    const completed: number[] = []
    const failed: number[] = []
    const orders: SettledOrder[] = rows.map((row) => {
      const order = settled(row)
      const { product_id: productId, quantity } = order
      if (row.status !== 'pending') return order
      const left = stock.get(productId)
      // A product outside the locked set (a message naming the wrong product) is left for retry.
      if (left === undefined) return order
      const ok = left >= quantity
      if (ok) {
        stock.set(productId, left - quantity)
        taken.set(productId, (taken.get(productId) ?? 0) + quantity)
      }
      ;(ok ? completed : failed).push(Number(row.id))
      return { ...order, status: ok ? 'completed' : 'failed', changed: true }
    })

    for (const [productId, quantity] of taken) await decrementStock(trx, productId, quantity)
    if (completed.length) await setStatus(trx, completed, 'completed', null)
    if (failed.length) await setStatus(trx, failed, 'failed', 'insufficient_stock')
    const found = new Set(rows.map((r) => r.order_uuid))
    return { orders, missing: orderUuids.filter((u) => !found.has(u)) }
  })
}

/** The batch's order rows, locked in id order (the same order every transaction takes them in). */
function lockOrders(trx: Transaction<Database>, orderUuids: string[]) {
  return trx
    .selectFrom('orders')
    .select(['id', 'order_uuid', 'reservation_id', 'product_id', 'user_id', 'quantity', 'status'])
    .where('order_uuid', 'in', orderUuids)
    .orderBy('id')
    .forUpdate()
    .execute()
}

type LockedOrder = Awaited<ReturnType<typeof lockOrders>>[number]

/** A locked row as found, before this transaction decides anything (MySQL may return strings). */
function settled(row: LockedOrder): SettledOrder {
  return {
    order_uuid: row.order_uuid,
    reservation_id: row.reservation_id,
    product_id: Number(row.product_id),
    user_id: Number(row.user_id),
    quantity: Number(row.quantity),
    status: row.status,
    changed: false,
  }
}

/** `stock >= ?` repeats in SQL what was checked under the lock; with the CHECK it is belt and braces. */
async function decrementStock(db: Db, productId: number, quantity: number): Promise<void> {
  const result = await db
    .updateTable('products')
    .set({ stock: sql`stock - ${quantity}`, updated_at: now })
    .where('id', '=', productId)
    .where('stock', '>=', quantity)
    .executeTakeFirst()
  if (result.numUpdatedRows !== 1n) throw new Error(`stock of product ${productId} changed under its lock`)
}

async function setStatus(db: Db, ids: number[], status: OrderStatus, reason: string | null): Promise<void> {
  await db
    .updateTable('orders')
    .set({ status, failed_reason: reason, updated_at: now })
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .execute()
}

/** DLQ path: a still-pending order whose message could not be processed ends `failed`. */
export async function failPendingOrders(
  db: Kysely<Database>,
  orderUuids: string[],
  reason: string,
): Promise<FinalizeResult> {
  return db.transaction().execute(async (trx) => {
    const rows = await lockOrders(trx, orderUuids)
    const pending = rows.filter((r) => r.status === 'pending').map((r) => Number(r.id))
    if (pending.length) await setStatus(trx, pending, 'failed', reason)
    const orders = rows.map((row) =>
      row.status === 'pending' ? { ...settled(row), status: 'failed' as const, changed: true } : settled(row),
    )
    const found = new Set(rows.map((r) => r.order_uuid))
    return { orders, missing: orderUuids.filter((u) => !found.has(u)) }
  })
}
