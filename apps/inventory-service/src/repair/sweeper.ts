import type { Database } from '@flash/db'
import type { Kysely } from 'kysely'
import { performance } from 'node:perf_hooks'
import type { OrphanSightings } from './orphan-sightings.ts'
import { fenceReservation, orderStatusByReservation } from '../repositories/orders.ts'
import { listProductSupply } from '../repositories/products.ts'
import { isCommittedStatus, type OrderStatus } from '@flash/db'
import { type ExpiredReservation, type StockStore, TOMBSTONE_RETENTION_MS } from '../stock/index.ts'

/** `deferred`: an orphan MySQL has not yet said has no row for FENCE_GRACE_MS (orphan-sightings.ts). */
export type SweepAction = 'released' | 'extended' | 'committed' | 'gone' | 'deferred'

export interface SweepDeps {
  db: Kysely<Database>
  stock: StockStore
  reservationTtlMs: number
  sightings: OrphanSightings
  onSwept?: (action: SweepAction, count: number) => void
}

// Bounds per tick, so one sweep never holds Redis or MySQL for long; what is left waits a tick.
const PRODUCTS_PER_SWEEP = 100
const RESERVATIONS_PER_PRODUCT = 500
const REPAIR_BATCH = 100
// A sighting this many graces old belongs to a reservation no longer swept (settled elsewhere).
const SIGHTING_RETENTION_GRACES = 10

/**
 * Settles expired reservations by what MySQL says about their order:
 * - no order row, and MySQL has said so for FENCE_GRACE_MS → fence it (a `failed` row holding the
 *   reservation id, so a stalled INSERT can never land after the release), then act on whatever row
 *   won: release (order-service gave up before inserting it, or crashed) unless the intake's row got
 *   there first. Within the grace it waits: the row may be on its way (orphan-sightings.ts);
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
    const statuses = await orderStatusByReservation(
      deps.db,
      expired.map((r) => r.reservation_id),
    )
    // When MySQL answered, on the pass's clock: a query held by a stall counts from its answer.
    const answeredAtMs = nowMs + (performance.now() - startedAt)
    const actions = await Promise.all(
      expired.map((r) =>
        settleExpired(deps, productId, r, statuses.get(r.reservation_id), nowMs, answeredAtMs),
      ),
    )
    for (const action of actions) counts[action] += 1
    // Re-derive the product's mark in the sweep index from what is left (or drop it).
    await deps.stock.refreshDue(productId)
  }
  for (const [action, count] of Object.entries(counts))
    if (count) deps.onSwept?.(action as SweepAction, count)
  deps.sightings.prune(nowMs - SIGHTING_RETENTION_GRACES * deps.sightings.graceMs)
  return counts
}

async function settleExpired(
  deps: SweepDeps,
  productId: string,
  r: ExpiredReservation,
  found: OrderStatus | undefined,
  nowMs: number,
  answeredAtMs: number,
): Promise<SweepAction> {
  const { stock } = deps
  const id = r.reservation_id
  let status = found
  if (status === undefined) {
    if (!deps.sightings.due(id, answeredAtMs)) return 'deferred'
    status = await fenceReservation(deps.db, {
      reservation_id: id,
      product_id: Number(productId),
      user_id: Number(r.user_id),
      quantity: r.qty,
    })
  }
  deps.sightings.forget(id)
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
