import { TimedOut, withTimeout } from '@flash/service-kit'
import { isDuplicateKey, isFence, type NewOrder, type OrderRow, statementNotApplied } from '@flash/db'
import type { IntakeDeps } from './deps.ts'
import { findConflictingOrder } from '../repositories/orders.ts'

/**
 * What became of one pending-row INSERT, found out before anything is compensated:
 * - `written`: the row exists (maybe written by the retry, maybe by a first attempt whose reply was lost);
 * - `not_written`: MySQL refused the statement or was never reached — safe to release the reservation;
 * - `unknown`: no answer either way; the row may still land, so the reservation must NOT be released
 *   here (inventory's sweeper fences it after its TTL, see apps/inventory-service/src/repair/sweeper.ts);
 * - `existing`: another attempt's order holds this uuid or Idempotency-Key;
 * - `fenced`: inventory already gave this reservation up and holds its id in a fence row.
 */
export type WriteOutcome =
  | { kind: 'written' }
  | { kind: 'not_written'; error: unknown }
  | { kind: 'unknown'; error: unknown }
  | { kind: 'existing'; row: OrderRow }
  | { kind: 'fenced' }

type OrderToWrite = NewOrder & { order_uuid: string; reservation_id: string; user_id: number }

type WriteDeps = Pick<IntakeDeps, 'db' | 'inserter' | 'writeMs'>

export async function writeOrderRow(deps: WriteDeps, row: OrderToWrite): Promise<WriteOutcome> {
  let first: unknown
  try {
    await deps.inserter.insert(row)
    return { kind: 'written' }
  } catch (error) {
    first = error
  }
  if (isDuplicateKey(first)) return resolveConflict(deps, row, first)
  if (statementNotApplied(first)) return { kind: 'not_written', error: first }
  // No answer within the deadline: MySQL is stalled, and a second INSERT would only wait as long again
  // — past the buyer's own timeout. The outcome is unknown now; the resolver writes the row itself as
  // soon as MySQL answers (unresolved-writes.ts), and inventory's sweeper gives it the time to
  // (FENCE_GRACE_MS after MySQL trouble).
  if (first instanceof TimedOut) return { kind: 'unknown', error: first }
  // Ambiguous (lost connection, lost reply): write the same row again. The retry is its own fence: the
  // unique order_uuid/reservation_id make it a duplicate if the first attempt did land, and make the
  // first attempt a harmless duplicate if it lands after the retry.
  try {
    await deps.inserter.insertAlone(row)
    return { kind: 'written' }
  } catch (error) {
    if (isDuplicateKey(error)) return resolveConflict(deps, row, error)
    return { kind: 'unknown', error }
  }
}

async function resolveConflict(deps: WriteDeps, row: OrderToWrite, error: unknown): Promise<WriteOutcome> {
  let rows: OrderRow[]
  try {
    rows = await withTimeout(
      findConflictingOrder(deps.db, row),
      deps.writeMs,
      `order lookup not answered within ${deps.writeMs} ms`,
    )
  } catch (lookupError) {
    return { kind: 'unknown', error: lookupError }
  }
  // A fence (by the sweeper, or by a resolver under this very uuid) means the order will never exist.
  if (rows.some((r) => r.reservation_id === row.reservation_id && isFence(r))) {
    return { kind: 'fenced' }
  }
  if (rows.some((r) => r.order_uuid === row.order_uuid && r.reservation_id === row.reservation_id)) {
    return { kind: 'written' }
  }
  if (rows.some((r) => r.reservation_id === row.reservation_id)) return { kind: 'fenced' }
  const other = rows.find((r) => Number(r.user_id) === row.user_id)
  return other ? { kind: 'existing', row: other } : { kind: 'unknown', error }
}
