import type { Database, Db, OrderStatus } from '@flash/db'
import { type Kysely, sql, type Transaction } from 'kysely'

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
 * One transaction for a batch: lock the orders (ascending id), then take the stock of each product
 * (ascending id) and flip every still-pending order — at most one order UPDATE per outcome. Every
 * finalizer transaction locks orders before products, each in ascending id, so two of them can never
 * wait on each other in a cycle; nothing else locks both. The pending → terminal transition under
 * the order row locks is the exactly-once guard: a redelivered message finds its order terminal and
 * changes nothing.
 *
 * Round trips, for the usual case (the stock covers the batch): BEGIN, lock orders, one conditional
 * decrement per product, UPDATE orders, COMMIT. The decrement `stock >= need` is itself the check:
 * only when it refuses is the product row read (locked) and the orders decided one by one in id order.
 */
export async function finalizeOrders(
  db: Kysely<Database>,
  orderUuids: string[],
  productIds: number[],
): Promise<FinalizeResult> {
  return db.transaction().execute(async (trx) => {
    const rows = await lockOrders(trx, orderUuids)
    // Only the products the messages name are touched: a message naming the wrong product leaves its
    // order pending (and retried), rather than finalizing against a product nobody asked about.
    const named = new Set(productIds)
    const pending = new Map<number, LockedOrder[]>()
    for (const row of rows) {
      const productId = Number(row.product_id)
      if (row.status !== 'pending' || !named.has(productId)) continue
      const list = pending.get(productId)
      if (list) list.push(row)
      else pending.set(productId, [row])
    }
    const completed: number[] = []
    const failed: number[] = []
    for (const productId of [...pending.keys()].sort((a, b) => a - b)) {
      const orders = pending.get(productId)!
      const need = orders.reduce((sum, o) => sum + Number(o.quantity), 0)
      if (await decrementStock(trx, productId, need)) {
        for (const o of orders) completed.push(Number(o.id))
        continue
      }
      // Not enough for all of them: first come (lowest id) first served against the locked stock.
      const stock = await lockedStock(trx, productId)
      // No such product row: nothing to decide against; the orders stay pending and are retried.
      if (stock === undefined) continue
      let left = stock
      let taken = 0
      for (const o of orders) {
        const quantity = Number(o.quantity)
        const ok = left >= quantity
        if (ok) {
          left -= quantity
          taken += quantity
        }
        ;(ok ? completed : failed).push(Number(o.id))
      }
      if (taken > 0 && !(await decrementStock(trx, productId, taken))) {
        throw new Error(`stock of product ${productId} changed under its lock`)
      }
    }
    if (completed.length) await setStatus(trx, completed, 'completed', null)
    if (failed.length) await setStatus(trx, failed, 'failed', 'insufficient_stock')

    const decided = new Map<number, OrderStatus>()
    for (const id of completed) decided.set(id, 'completed')
    for (const id of failed) decided.set(id, 'failed')
    const orders: SettledOrder[] = rows.map((row) => {
      const status = decided.get(Number(row.id))
      return status ? { ...settled(row), status, changed: true } : settled(row)
    })
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

/** Takes `quantity` units if the product has them (the row lock is taken here); false if it has not. */
async function decrementStock(db: Db, productId: number, quantity: number): Promise<boolean> {
  const result = await db
    .updateTable('products')
    .set({ stock: sql`stock - ${quantity}`, updated_at: now })
    .where('id', '=', productId)
    .where('stock', '>=', quantity)
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/** A product's stock, its row locked for the rest of the transaction. */
async function lockedStock(db: Db, productId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('products')
    .select('stock')
    .where('id', '=', productId)
    .forUpdate()
    .executeTakeFirst()
  return row ? Number(row.stock) : undefined
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
