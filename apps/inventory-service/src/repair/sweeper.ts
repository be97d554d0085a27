import type { Database } from '@flash/db'
import type { Kysely } from 'kysely'
import { performance } from 'node:perf_hooks'
import type { FenceGrace } from './fence-grace.ts'
import { fenceReservation, orderStatusByReservation } from '../repositories/orders.ts'
import { listProductSupply } from '../repositories/products.ts'
import { isCommittedStatus, type OrderStatus } from '@flash/db'
import { type ExpiredReservation, type StockStore, TOMBSTONE_RETENTION_MS } from '../stock/index.ts'

/** `deferred`: an orphan left for a later pass, MySQL having been in trouble less than FENCE_GRACE_MS ago. */
export type SweepAction = 'released' | 'extended' | 'committed' | 'gone' | 'deferred'

export interface SweepDeps {
  db: Kysely<Database>
  stock: StockStore
  reservationTtlMs: number
  fenceGrace: FenceGrace
  onSwept?: (action: SweepAction, count: number) => void
}

// Bounds per tick, so one sweep never holds Redis or MySQL for long; what is left waits a tick.
const PRODUCTS_PER_SWEEP = 100
const RESERVATIONS_PER_PRODUCT = 500
const REPAIR_BATCH = 100

/**
 * Settles expired reservations by what MySQL says about their order:
 * - no order row → fence it (a `failed` row holding the reservation id, so a stalled INSERT can never
 *   land after the release), then act on whatever row won: release (order-service gave up before
 *   inserting it, or crashed) unless the intake's row got there first. Within FENCE_GRACE_MS of MySQL
 *   trouble it waits: an unconfirmed intake's row may be on its way (fence-grace.ts);
 * - pending → extend by one TTL: never release a pending order's units, the finalizer will settle it;
 * - completed → commit (the finalizer's settle call was lost); failed → release.
 * Every step is an idempotent script, so two sweepers racing (lock expired) or a finalizer settling at
 * the same moment cannot double anything. Returns how many reservations were handled, per action.
 */
export async function sweepExpired(deps: SweepDeps, nowMs: number): Promise<Record<SweepAction, number>> {
  const counts: Record<SweepAction, number> = { released: 0, extended: 0, committed: 0, gone: 0, deferred: 0 }
  const startedAt = performance.now()
  for (const productId of await deps.stock.dueProducts(nowMs, PRODUCTS_PER_SWEEP)) {
    const expired = await deps.stock.expired(productId, nowMs, RESERVATIONS_PER_PRODUCT)
    // On the pass's clock: a query held by a stall counts from its answer.
    const clock = () => nowMs + (performance.now() - startedAt)
    const statuses = await deps.fenceGrace.watch(
      orderStatusByReservation(
        deps.db,
        expired.map((r) => r.reservation_id),
      ),
      clock,
    )
    const orphans = expired.some((r) => !statuses.has(r.reservation_id))
    const mayFence = orphans ? await deps.fenceGrace.mayFence(clock()) : true
    const actions = await Promise.all(
      expired.map((r) => settleExpired(deps, productId, r, statuses.get(r.reservation_id), nowMs, mayFence)),
    )
    for (const action of actions) counts[action] += 1
    // Re-derive the product's mark in the sweep index from what is left (or drop it).
    await deps.stock.refreshDue(productId)
  }
  for (const [action, count] of Object.entries(counts))
    if (count) deps.onSwept?.(action as SweepAction, count)
  return counts
}

async function settleExpired(
  deps: SweepDeps,
  productId: string,
  r: ExpiredReservation,
  found: OrderStatus | undefined,
  nowMs: number,
  mayFence: boolean,
): Promise<SweepAction> {
  const { stock } = deps
  const id = r.reservation_id
  let status = found
  if (status === undefined) {
    if (!mayFence) return 'deferred'
    status = await fenceReservation(deps.db, {
      reservation_id: id,
      product_id: Number(productId),
      user_id: Number(r.user_id),
      quantity: r.qty,
    })
  }
  if (status === 'pending') {
    return (await stock.extend(productId, id, nowMs + deps.reservationTtlMs)) ? 'extended' : 'gone'
  }
  if (isCommittedStatus(status))
    return (await stock.commit(productId, id, nowMs)).applied ? 'committed' : 'gone'
  // failed, and expired / cancelled (their units went back into MySQL's stock): the reservation's come back.
  return (await stock.release(productId, id, r.qty, r.user_id, nowMs)).applied ? 'released' : 'gone'
}

/**
 * One step of the rolling pass over every product (REPAIR_BATCH per tick, from `afterId`): re-derives
 * its sweep-index mark (repairs a mark lost to a crash between a reserve and its markDue), trims
 * tombstones older than the retention, and re-applies MySQL's `supplied` total to a warm state
 * (delivers a restock whose Redis step failed; a no-op when Redis already includes it).
 * Returns the id to continue after (0 = start over).
 */
export async function repairPass(deps: SweepDeps, afterId: number, nowMs: number): Promise<number> {
  const products = await listProductSupply(deps.db, afterId, REPAIR_BATCH)
  for (const { id, supplied } of products) {
    await deps.stock.refreshDue(id)
    await deps.stock.trimTombstones(id, nowMs - TOMBSTONE_RETENTION_MS)
    await deps.stock.restock(id, supplied)
  }
  return products.length === REPAIR_BATCH ? products.at(-1)!.id : 0
}
