import { type Database, type Db, type OrderStatus, UNITS_HELD_STATUSES, writeFence } from '@flash/db'
import { type Kysely, sql } from 'kysely'

// inventory-service reads orders to rebuild, sweep and audit stock state, and writes one kind of row
// only: the fence of a reservation it gives up on (see `fenceReservation`).

/**
 * Before the sweeper releases a reservation that has no order row, it fences the reservation id in
 * MySQL (see `writeFence`): an order is never accepted on a reservation that was released. Returns the
 * status the reservation's order now has (the intake's own, if its INSERT got there first).
 */
export async function fenceReservation(
  db: Db,
  r: { reservation_id: string; product_id: number; user_id: number; quantity: number },
): Promise<OrderStatus> {
  await writeFence(db, r)
  const row = await db
    .selectFrom('orders')
    .select('status')
    .where('reservation_id', '=', r.reservation_id)
    .executeTakeFirstOrThrow()
  return row.status
}

export interface WarmSource {
  stock: number
  supplied: number
  priceCents: number
  maxPerUser: number
  /** Σ quantity of pending orders. */
  pendingQty: number
  /** Per user: Σ quantity of pending + completed orders (what counts against max_per_user). */
  userUnits: [userId: number, units: number][]
  /** The pending orders themselves: the warm-up records which reservations it subtracted. */
  pending: { reservationId: string; qty: number; userId: number }[]
  /** The sale window (ms), read with the stock: the warm state carries it to the reserve script. */
  window: { startsMs: number | null; endsMs: number | null }
}

/**
 * Everything a warm-up needs, read in ONE consistent snapshot (REPEATABLE READ: InnoDB fixes the
 * snapshot at the first read and every later read sees the same one). Reading stock and pending at
 * different moments could count an order the finalizer completes in between twice or not at all.
 */
export async function readWarmSource(
  db: Kysely<Database>,
  productId: number,
): Promise<WarmSource | undefined> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const product = await trx
        .selectFrom('products')
        .select(['stock', 'supplied', 'price_cents', 'max_per_user', 'sale_starts_at', 'sale_ends_at'])
        .where('id', '=', productId)
        .executeTakeFirst()
      if (!product) return undefined
      // Through the (product_id, status, user_id) index.
      const rows = await trx
        .selectFrom('orders')
        .select(['user_id', 'status', sql<string>`sum(quantity)`.as('units')])
        .where('product_id', '=', productId)
        .where('status', 'in', UNITS_HELD_STATUSES)
        .groupBy(['user_id', 'status'])
        .execute()
      const pendingRows = await trx
        .selectFrom('orders')
        .select(['reservation_id', 'quantity', 'user_id'])
        .where('product_id', '=', productId)
        .where('status', '=', 'pending')
        .execute()
      let pendingQty = 0
      const perUser = new Map<number, number>()
      for (const row of rows) {
        const units = Number(row.units)
        if (row.status === 'pending') pendingQty += units
        const user = Number(row.user_id)
        perUser.set(user, (perUser.get(user) ?? 0) + units)
      }
      return {
        stock: Number(product.stock),
        supplied: Number(product.supplied),
        priceCents: Number(product.price_cents),
        maxPerUser: product.max_per_user === null ? 0 : Number(product.max_per_user),
        pendingQty,
        userUnits: [...perUser],
        pending: pendingRows.map((r) => ({
          reservationId: r.reservation_id,
          qty: Number(r.quantity),
          userId: Number(r.user_id),
        })),
        window: {
          startsMs: product.sale_starts_at?.getTime() ?? null,
          endsMs: product.sale_ends_at?.getTime() ?? null,
        },
      }
    })
}

/** Status of the orders backing these reservations; a reservation without an order is absent. */
export async function orderStatusByReservation(
  db: Db,
  reservationIds: string[],
): Promise<Map<string, OrderStatus>> {
  if (reservationIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('orders')
    .select(['reservation_id', 'status'])
    .where('reservation_id', 'in', reservationIds)
    .execute()
  return new Map(rows.map((r) => [r.reservation_id, r.status]))
}

export interface ProductBooks {
  stock: number
  supplied: number
  pending_qty: number
  completed_qty: number
  failed_qty: number
  awaiting_payment_qty: number
  paid_qty: number
  expired_qty: number
  cancelled_qty: number
}

/** MySQL's side of the audit, in one snapshot: the product row and its orders' totals by status. */
export async function readProductBooks(
  db: Kysely<Database>,
  productId: number,
): Promise<ProductBooks | undefined> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const product = await trx
        .selectFrom('products')
        .select(['stock', 'supplied'])
        .where('id', '=', productId)
        .executeTakeFirst()
      if (!product) return undefined
      const rows = await trx
        .selectFrom('orders')
        .select(['status', sql<string>`sum(quantity)`.as('units')])
        .where('product_id', '=', productId)
        .groupBy('status')
        .execute()
      const total = (status: OrderStatus) => Number(rows.find((r) => r.status === status)?.units ?? 0)
      return {
        stock: Number(product.stock),
        supplied: Number(product.supplied),
        pending_qty: total('pending'),
        completed_qty: total('completed'),
        failed_qty: total('failed'),
        awaiting_payment_qty: total('awaiting_payment'),
        paid_qty: total('paid'),
        expired_qty: total('expired'),
        cancelled_qty: total('cancelled'),
      }
    })
}

/** Whether an order was created in the last `seconds` (on MySQL's clock). */
export async function hasOrdersWithin(db: Kysely<Database>, seconds: number): Promise<boolean> {
  const row = await db
    .selectFrom('orders')
    .select('id')
    .where('created_at', '>', sql<Date>`current_timestamp(3) - interval ${seconds} second`)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}
