import { type OrderAccepted, toOrderMessage } from '@flash/contracts'
import { isFence, newUuid, type OrderRow } from '@flash/db'
import type { FastifyBaseLogger } from 'fastify'
import {
  idempotencyKeyReused,
  outOfStock,
  perUserLimit,
  productNotFound,
  type Refusal,
  saleEnded,
  saleNotStarted,
  unavailable,
} from '../errors.ts'
import { LogSampler } from '@flash/service-kit'
import type { IntakeDeps } from './deps.ts'
import { retryAfterFor } from './sale-window-marks.ts'
import { writeOrderRow } from './write-order.ts'

export interface PlaceOrder {
  userId: number
  productId: number
  quantity: number
  requestId: string
  /** Chosen by the caller when an Idempotency-Key record holds it; otherwise made here, when needed. */
  orderUuid?: string
  /** The buyer's Idempotency-Key and body fingerprint, written on the row (the durable record). */
  idempotency?: { key: string; fp: string }
  log: FastifyBaseLogger
}

/**
 * The intake: local sold-out mark → reserve in inventory (batched with concurrent orders, one Redis
 * round trip there) → one INSERT of the pending row (batched too) → SQS send → 202.
 *
 * The pending row is the commitment. Before it exists, a failure releases the reservation — but only
 * once MySQL has said the row was not written: after an ambiguous error the intake writes the row
 * again (a duplicate proves the first landed) and, when even that gets no answer, accepts the order
 * (202) and leaves its outcome to MySQL: the row that landed, or the resolver's fence (`failed`,
 * `abandoned`), never a 503 for an order that may still complete. Once the row exists the answer is
 * 202 whatever SQS does: the row is the outbox, the finalizer's stale-pending sweep re-sends what was
 * not sent, so an accepted order is never rolled back without its status saying so.
 */
/** Lines a second about unresolved writes, per instance (no stack: the cause is a stalled MySQL). */
const unresolvedLines = new LogSampler(5)
const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error))

export async function placeOrder(deps: IntakeDeps, input: PlaceOrder): Promise<OrderAccepted | Refusal> {
  const { userId, productId, quantity, requestId, log } = input
  const outcome = deps.metrics.outcomes
  const closed = deps.saleWindows.closed(productId)
  if (closed) {
    outcome.inc({ outcome: `${closed.reason}_local` })
    return closed.reason === 'sale_ended'
      ? saleEnded(productId)
      : saleNotStarted(productId, closed.retryAfterSeconds)
  }
  if (deps.soldOut.isSoldOut(productId, quantity)) {
    outcome.inc({ outcome: 'sold_out_local' })
    return outOfStock(productId)
  }
  const orderUuid = input.orderUuid ?? newUuid()
  const reservation = { reservation_id: newUuid(), product_id: productId, user_id: userId, quantity }
  const release = async (step: string) => {
    deps.metrics.compensations.inc({ step })
    try {
      await deps.inventory.settle([{ ...reservation, outcome: 'release' }], requestId)
    } catch (error) {
      // The sweeper releases it after its TTL: no order row references this reservation.
      log.warn(
        { err: error, reservation_id: reservation.reservation_id },
        'release failed; left to the sweeper',
      )
    }
  }

  deps.metrics.reserveCalls.inc()
  const askedAt = deps.soldOut.version()
  const windowAsked = deps.saleWindows.ask()
  let reserved: Awaited<ReturnType<IntakeDeps['reservations']['reserve']>>
  try {
    reserved = await deps.reservations.reserve(reservation, requestId)
  } catch (error) {
    deps.soldOut.clear(productId)
    deps.saleWindows.forget(productId)
    outcome.inc({ outcome: 'inventory_unavailable' })
    // A timed-out reserve may still have happened on the other side: the release's tombstone also
    // stops a late one from taking effect.
    void release('reserve')
    throw unavailable('Inventory', error)
  }
  if (!reserved.ok) {
    outcome.inc({ outcome: reserved.reason })
    if (reserved.reason === 'sale_not_started' || reserved.reason === 'sale_ended') {
      deps.saleWindows.learn(productId, reserved, windowAsked)
      if (reserved.reason === 'sale_ended' || reserved.sale_starts_at === null) return saleEnded(productId)
      const toOpening = Date.parse(reserved.sale_starts_at) - Date.parse(reserved.checked_at)
      return saleNotStarted(productId, retryAfterFor(toOpening))
    }
    deps.saleWindows.forget(productId)
    if (reserved.reason === 'out_of_stock') {
      deps.soldOut.mark(productId, quantity, askedAt)
      return outOfStock(productId)
    }
    deps.soldOut.clear(productId)
    return reserved.reason === 'per_user_limit' ? perUserLimit(productId) : productNotFound(productId)
  }

  deps.soldOut.clear(productId)
  deps.saleWindows.forget(productId)
  const row = {
    order_uuid: orderUuid,
    user_id: userId,
    product_id: productId,
    quantity,
    total_price_cents: reserved.unit_price_cents * quantity,
    reservation_id: reservation.reservation_id,
    request_id: requestId,
    idempotency_key: input.idempotency?.key ?? null,
    idempotency_fp: input.idempotency?.fp ?? null,
  }
  const written = await writeOrderRow(deps, row)
  switch (written.kind) {
    case 'written':
      break
    case 'existing':
      return resumeExisting(deps, input, written.row, release)
    case 'not_written':
      outcome.inc({ outcome: 'db_unavailable' })
      await release('insert')
      throw unavailable('The order database', written.error)
    case 'fenced':
      // Inventory gave the reservation up (and released it) before this row could be written.
      outcome.inc({ outcome: 'fenced' })
      throw unavailable('The order database')
    case 'unknown': {
      // The row may have landed or may still land: a 503 could turn out false (the buyer retries
      // and buys twice). The order is accepted as it stands; MySQL settles it as soon as it answers
      // and its status tells the buyer: the row (→ completed or failed) or a fence (failed, abandoned).
      outcome.inc({ outcome: 'write_unknown' })
      // A stall makes every intake land here at once: the metric counts each, the log a sample.
      if (
        unresolvedLines.admit((n) =>
          log.warn({ suppressed: n }, `unresolved order writes: ${n} more line(s) not written`),
        )
      )
        log.error(
          {
            err: { message: errorMessage(written.error) },
            order_uuid: orderUuid,
            reservation_id: reservation.reservation_id,
          },
          'order write unresolved; accepted, settled as soon as MySQL answers',
        )
      await acceptUnconfirmed(deps, row, log)
      return { order_uuid: orderUuid, status: 'pending' }
    }
  }

  await sendOrLeaveToSweep(deps, row, input)
  outcome.inc({ outcome: 'accepted' })
  return { order_uuid: orderUuid, status: 'pending' }
}

/**
 * Keeps the accepted order visible to its owner until MySQL holds its outcome, and has the resolver
 * write that outcome (send the row that landed, or fence the uuid and release the reservation).
 */
async function acceptUnconfirmed(
  deps: IntakeDeps,
  row: Parameters<IntakeDeps['unresolved']['resolve']>[0] & { user_id: number; total_price_cents: number },
  log: FastifyBaseLogger,
): Promise<void> {
  void deps.unresolved.resolve(row)
  await deps.unconfirmed
    .remember({
      order_uuid: row.order_uuid,
      user_id: row.user_id,
      product_id: Number(row.product_id),
      quantity: Number(row.quantity),
      total_price_cents: row.total_price_cents,
      reservation_id: row.reservation_id,
      created_at: new Date().toISOString(),
    })
    .catch((error) => {
      // MySQL and Redis failing together: the status endpoint answers 404 for this uuid until MySQL
      // holds the row or the resolver's fence (seconds after MySQL answers again).
      log.error({ err: error, order_uuid: row.order_uuid }, 'unconfirmed order not recorded')
    })
}

async function sendOrLeaveToSweep(
  deps: IntakeDeps,
  row: Parameters<typeof toOrderMessage>[0] & { order_uuid: string },
  input: Pick<PlaceOrder, 'requestId' | 'log'>,
): Promise<void> {
  try {
    await deps.queue.send(toOrderMessage(row, input.requestId), input.requestId)
  } catch (error) {
    deps.metrics.outcomes.inc({ outcome: 'accepted_unsent' })
    input.log.warn(
      { err: error, order_uuid: row.order_uuid },
      'order accepted unsent; re-sent in the background',
    )
    deps.unsent.keep(toOrderMessage(row, input.requestId), input.requestId)
  }
}

/**
 * Another attempt's order holds this order uuid (an Idempotency-Key takeover after a crashed attempt
 * that did insert) or this Idempotency-Key (a replay after Redis forgot the key). Keep that order,
 * drop this attempt's reservation and re-send its message if it is still pending (the finalizer is
 * idempotent, and the earlier attempt may never have sent it).
 */
async function resumeExisting(
  deps: IntakeDeps,
  input: PlaceOrder,
  existing: OrderRow,
  release: (step: string) => Promise<void>,
): Promise<OrderAccepted> {
  await release('resume')
  if (isFence(existing)) {
    // The uuid is held by the fence of an earlier attempt that never wrote its row: not an order.
    throw unavailable('The order database')
  }
  if (input.idempotency && existing.idempotency_fp && existing.idempotency_fp !== input.idempotency.fp) {
    throw idempotencyKeyReused()
  }
  return acceptExisting(deps, input, existing)
}

/**
 * An order an earlier attempt under the same Idempotency-Key placed is this request's answer (its
 * original 202). Its message is sent again while it is pending: the finalizer is idempotent, and the
 * earlier attempt may have stopped before sending it.
 */
export async function acceptExisting(
  deps: IntakeDeps,
  input: Pick<PlaceOrder, 'requestId' | 'log'>,
  existing: OrderRow,
): Promise<OrderAccepted> {
  if (existing.status === 'pending') await sendOrLeaveToSweep(deps, existing, input)
  deps.metrics.outcomes.inc({ outcome: 'resumed' })
  return { order_uuid: existing.order_uuid, status: 'pending' }
}
