import { type Database, isCommittedStatus } from '@flash/db'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import { orderStatusByReservation } from '../repositories/orders.ts'
import { readReconcileBooks } from '../repositories/products.ts'
import type { StockStore } from '../stock/index.ts'

export interface ReconcileDeps {
  db: Kysely<Database>
  stock: StockStore
  log: FastifyBaseLogger
  onRepair?: (productId: number, delta: number) => void
}

export interface ReconcileCounts {
  /** Warm, quiet products compared with MySQL. */
  checked: number
  repaired: number
  /** Skipped: cold, a live reservation or a counted order in flight, or changed since the probe. */
  skipped: number
}

/**
 * Makes Redis availability equal MySQL's `stock − Σ pending` for every quiet product of the batch —
 * the identity every other path keeps (a finalizer commit lowers stock and pending together), so any
 * difference is drift left by a fault: a lost settle, a crash between two steps, a restock whose Redis
 * step never ran.
 *
 * Three round trips for the whole batch: one pipelined probe of every product in Redis, one MySQL
 * snapshot of the quiet ones, one compare-and-set script per product that drifted. "Quiet" means no
 * live reservation: every unit Redis has handed out belongs to an order MySQL counts as pending or
 * completed, so the two sides are comparable. The CAS only applies to the very state version probed
 * before the MySQL read (generation and `seq`: a wipe + rebuild restarts `seq`, so it alone could match
 * a different state), with still no live reservation and no counted order unsettled; so an order, a
 * settle, a restock or a rebuild in between makes it skip the product until the next pass — and every
 * instance may reconcile at once without doubling a repair.
 *
 * The scripts never guess at units they cannot account for (a commit after a release, a settle Redis
 * forgot): they leave that drift to this pass. (The sweeper's repair pass only re-applies MySQL's
 * `supplied` total, which delivers a lost restock; it never compares availability.)
 */
export async function reconcileProducts(
  deps: ReconcileDeps,
  productIds: number[],
  nowMs: number,
): Promise<ReconcileCounts> {
  const counts: ReconcileCounts = { checked: 0, repaired: 0, skipped: 0 }
  if (productIds.length === 0) return counts
  const probes = await deps.stock.probe(productIds)
  const probed = productIds.map((id, i) => ({ id, probe: probes[i]! }))
  // Orders a rebuild counted are in flight too (their settle will move units): first settle the ones
  // MySQL has already finished — a settle lost to a crash — and compare the product on a later pass.
  for (const { id, probe } of probed) {
    if (probe.available !== null && probe.live_reservations === 0 && probe.counted > 0) {
      await settleFinishedCounted(deps, id, nowMs)
    }
  }
  const quiet = probed.filter(
    ({ probe }) => probe.available !== null && probe.live_reservations === 0 && probe.counted === 0,
  )
  counts.skipped = productIds.length - quiet.length
  if (quiet.length === 0) return counts
  const books = await readReconcileBooks(
    deps.db,
    quiet.map((q) => q.id),
  )
  for (const { id, probe } of quiet) {
    const book = books.get(id)
    if (!book) continue
    counts.checked++
    const expected = book.stock - book.pendingQty
    const result = await deps.stock.reconcile(id, probe, expected, book.supplied, nowMs)
    if (result.status === 'repaired') {
      counts.repaired++
      deps.onRepair?.(id, result.delta)
      deps.log.warn(
        {
          product_id: id,
          delta: result.delta,
          available: expected,
          stock: book.stock,
          pending: book.pendingQty,
        },
        'reconciler repaired Redis availability',
      )
    } else if (result.status !== 'in_sync') {
      counts.skipped++
    }
  }
  return counts
}

/** Applies the settle MySQL already decided for counted orders that are terminal (idempotent scripts). */
async function settleFinishedCounted(deps: ReconcileDeps, productId: number, nowMs: number): Promise<void> {
  const counted = await deps.stock.countedOrders(productId)
  const statuses = await orderStatusByReservation(
    deps.db,
    counted.map((c) => c.reservationId),
  )
  for (const c of counted) {
    const status = statuses.get(c.reservationId)
    if (status === undefined || status === 'pending') continue
    if (isCommittedStatus(status)) await deps.stock.commit(productId, c.reservationId, nowMs)
    // failed, expired, cancelled: MySQL's stock holds the units again, and the warm-up had subtracted them.
    else await deps.stock.release(productId, c.reservationId, c.qty, c.userId, nowMs)
  }
}
