import { COMMITTED_STATUSES, type Database, type Db, type OrderStatus } from '@flash/db'
import { type Kysely, sql, type Transaction } from 'kysely'
import { outsideSaleWindow, type SaleWindow, type SaleWindowReason } from './sale-window-guard.ts'

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

/** Why the finalizer failed an order (its `failed_reason`). */
export type FailReason = 'insufficient_stock' | 'per_user_limit' | SaleWindowReason

/**
 * One transaction for a batch: lock the orders (ascending id), then the batch's product rows (ascending
 * id, one statement), and decide every still-pending order against them: first come (lowest id) first
 * served, each order checked against the buyer's per-user limit and then the stock. Every finalizer
 * transaction locks orders before products, each in ascending id, so two of them can never wait on
 * each other in a cycle; nothing else locks both. The pending → terminal transition under the order
 * row locks is the exactly-once guard: a redelivered message finds its order terminal and changes nothing.
 *
 * MySQL is the guard of both promises Redis only filters: stock (`stock >= need`, and a CHECK) and the
 * per-user limit. The limit is checked under the product row lock — the same lock every completion of
 * that product takes — so the units a buyer already holds cannot change under the check, whatever
 * Redis forgot or was rolled back to. READ COMMITTED makes each read see every completion committed
 * before the lock was granted (REPEATABLE READ would answer from a snapshot taken earlier).
 *
 * Round trips, for the usual case: BEGIN, lock orders, lock products, [units held, only for products
 * with a limit], one decrement per product, one UPDATE per outcome, COMMIT.
 */
export async function finalizeOrders(
  db: Kysely<Database>,
  orderUuids: string[],
  productIds: number[],
  /** The deployment's payment window (PAYMENT_WINDOW_SECONDS); a product's own window wins. */
  paymentWindowSeconds = 0,
): Promise<FinalizeResult> {
  return db
    .transaction()
    .setIsolationLevel('read committed')
    .execute(async (trx) => {
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
      const products = await lockProducts(trx, [...pending.keys()])
      const held = await unitsHeld(
        trx,
        products.filter((p) => p.maxPerUser !== null).map((p) => p.id),
        [...new Set(rows.map((r) => Number(r.user_id)))],
      )
      // Orders that got their units, by payment window: 0 completes at once, more waits for the payment.
      const taken = new Map<number, number[]>()
      const failed = new Map<FailReason, number[]>()
      const fail = (reason: FailReason, id: number) => {
        const list = failed.get(reason)
        if (list) list.push(id)
        else failed.set(reason, [id])
      }
      // A product with no row has nothing to decide against: its orders stay pending and are retried.
      for (const product of products) {
        let left = product.stock
        for (const o of pending.get(product.id)!) {
          const quantity = Number(o.quantity)
          const key = heldKey(product.id, Number(o.user_id))
          const mine = held.get(key) ?? 0
          const outside = outsideSaleWindow(product.window, o.created_at)
          if (outside) {
            fail(outside, Number(o.id))
          } else if (product.maxPerUser !== null && mine + quantity > product.maxPerUser) {
            fail('per_user_limit', Number(o.id))
          } else if (left < quantity) {
            fail('insufficient_stock', Number(o.id))
          } else {
            left -= quantity
            // Orders of one buyer in one batch count against each other, in id order.
            held.set(key, mine + quantity)
            const window = product.paymentWindowSeconds ?? paymentWindowSeconds
            const list = taken.get(window)
            if (list) list.push(Number(o.id))
            else taken.set(window, [Number(o.id)])
          }
        }
        const units = product.stock - left
        if (units > 0 && !(await decrementStock(trx, product.id, units))) {
          throw new Error(`stock of product ${product.id} changed under its lock`)
        }
      }
      const decided = new Map<number, OrderStatus>()
      for (const [window, ids] of taken) {
        if (window === 0) await setStatus(trx, ids, 'completed', null)
        else await awaitPayment(trx, ids, window)
        for (const id of ids) decided.set(id, window === 0 ? 'completed' : 'awaiting_payment')
      }
      for (const [reason, ids] of failed) await setStatus(trx, ids, 'failed', reason)

      for (const ids of failed.values()) for (const id of ids) decided.set(id, 'failed')
      const orders: SettledOrder[] = rows.map((row) => {
        const status = decided.get(Number(row.id))
        return status ? { ...settled(row), status, changed: true } : settled(row)
      })
      const found = new Set(rows.map((r) => r.order_uuid))
      return { orders, missing: orderUuids.filter((u) => !found.has(u)) }
    })
}

interface LockedProduct {
  id: number
  stock: number
  /** null: no limit. */
  maxPerUser: number | null
  /** null: the deployment's window. */
  paymentWindowSeconds: number | null
  window: SaleWindow
}

/** The products' rows, locked in id order (one statement); absent ids have no row. */
async function lockProducts(trx: Transaction<Database>, productIds: number[]): Promise<LockedProduct[]> {
  if (productIds.length === 0) return []
  const rows = await trx
    .selectFrom('products')
    .select(['id', 'stock', 'max_per_user', 'payment_window_seconds', 'sale_starts_at', 'sale_ends_at'])
    .where('id', 'in', productIds)
    .orderBy('id')
    .forUpdate()
    .execute()
  return rows.map((r) => ({
    id: Number(r.id),
    stock: Number(r.stock),
    // 0 and NULL both mean "no limit" (as inventory-service's reserve script reads them).
    maxPerUser: r.max_per_user === null || Number(r.max_per_user) === 0 ? null : Number(r.max_per_user),
    paymentWindowSeconds: r.payment_window_seconds === null ? null : Number(r.payment_window_seconds),
    window: { sale_starts_at: r.sale_starts_at, sale_ends_at: r.sale_ends_at },
  }))
}

const heldKey = (productId: number, userId: number) => `${productId}:${userId}`

/**
 * Units the buyers already hold of these products: decided orders that hold their units (awaiting
 * payment, paid, completed — not expired or cancelled, whose units went back). A pending order is
 * decided, and checked, when its own turn comes. Through the (product_id, status, user_id) index.
 */
async function unitsHeld(
  trx: Transaction<Database>,
  productIds: number[],
  userIds: number[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  if (productIds.length === 0 || userIds.length === 0) return out
  const rows = await trx
    .selectFrom('orders')
    .select(['product_id', 'user_id', sql<string>`sum(quantity)`.as('units')])
    .where('product_id', 'in', productIds)
    .where('status', 'in', COMMITTED_STATUSES)
    .where('user_id', 'in', userIds)
    .groupBy(['product_id', 'user_id'])
    .execute()
  for (const r of rows) out.set(heldKey(Number(r.product_id), Number(r.user_id)), Number(r.units))
  return out
}

/** The batch's order rows, locked in id order (the same order every transaction takes them in). */
function lockOrders(trx: Transaction<Database>, orderUuids: string[]) {
  return trx
    .selectFrom('orders')
    .select([
      'id',
      'order_uuid',
      'reservation_id',
      'product_id',
      'user_id',
      'quantity',
      'status',
      'created_at',
    ])
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

/** Takes `quantity` units if the product has them; false if it has not. */
async function decrementStock(db: Db, productId: number, quantity: number): Promise<boolean> {
  const result = await db
    .updateTable('products')
    .set({ stock: sql`stock - ${quantity}`, updated_at: now })
    .where('id', '=', productId)
    .where('stock', '>=', quantity)
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/** The orders took their units and now wait for their payment until `pay_by` (MySQL's clock). */
async function awaitPayment(db: Db, ids: number[], windowSeconds: number): Promise<void> {
  await db
    .updateTable('orders')
    .set({
      status: 'awaiting_payment',
      pay_by: sql<Date>`current_timestamp(3) + interval ${windowSeconds} second`,
      updated_at: now,
    })
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .execute()
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
