import { type OrderAccepted, toOrderMessage } from '@flash/contracts'
import { isDuplicateKey } from '@flash/db'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { outOfStock, perUserLimit, productNotFound, type Refusal, unavailable } from './errors.ts'
import { deletePendingOrder, findOrderByUuid } from './repositories/orders.ts'
import { fastUuidV7 } from './uuid.ts'

export interface PlaceOrder {
  userId: number
  productId: number
  quantity: number
  requestId: string
  /** Chosen by the caller when an Idempotency-Key record holds it; otherwise made here, when needed. */
  orderUuid?: string
  log: FastifyBaseLogger
}

/**
 * The intake: local sold-out mark → reserve in inventory (one Redis round trip there) → one INSERT of
 * the pending row (batched with concurrent orders) → SQS send. A failure after the reservation undoes everything it did (row deleted
 * while still pending, reservation released) and answers 503, so a refused order leaves nothing.
 */
export async function placeOrder(app: FastifyInstance, input: PlaceOrder): Promise<OrderAccepted | Refusal> {
  const { userId, productId, quantity, requestId, log } = input
  const outcome = app.orderMetrics.outcomes
  if (app.soldOut.isSoldOut(productId, quantity)) {
    outcome.inc({ outcome: 'sold_out_local' })
    return outOfStock(productId)
  }
  const orderUuid = input.orderUuid ?? fastUuidV7()
  const reservation = { reservation_id: fastUuidV7(), product_id: productId, user_id: userId, quantity }
  const release = async (step: string) => {
    app.orderMetrics.compensations.inc({ step })
    try {
      await app.inventory.settle([{ ...reservation, outcome: 'release' }], requestId)
    } catch (error) {
      // The sweeper releases it after its TTL: no order row references this reservation.
      log.warn(
        { err: error, reservation_id: reservation.reservation_id },
        'release failed; left to the sweeper',
      )
    }
  }

  app.orderMetrics.reserveCalls.inc()
  let reserved: Awaited<ReturnType<typeof app.inventory.reserve>>
  try {
    reserved = await app.inventory.reserve(reservation, requestId)
  } catch (error) {
    app.soldOut.clear(productId)
    outcome.inc({ outcome: 'inventory_unavailable' })
    // A timed-out reserve may still have happened on the other side.
    void release('reserve')
    throw unavailable('Inventory', error)
  }
  if (!reserved.ok) {
    outcome.inc({ outcome: reserved.reason })
    if (reserved.reason === 'out_of_stock') {
      app.soldOut.mark(productId, quantity)
      return outOfStock(productId)
    }
    app.soldOut.clear(productId)
    return reserved.reason === 'per_user_limit' ? perUserLimit(productId) : productNotFound(productId)
  }

  app.soldOut.clear(productId)
  const row = {
    order_uuid: orderUuid,
    user_id: userId,
    product_id: productId,
    quantity,
    total_price_cents: reserved.unit_price_cents * quantity,
    reservation_id: reservation.reservation_id,
    request_id: requestId,
  }
  try {
    await app.orderInserter.insert(row)
  } catch (error) {
    if (isDuplicateKey(error)) return resumeExisting(app, { ...input, orderUuid }, release)
    outcome.inc({ outcome: 'db_unavailable' })
    await release('insert')
    throw unavailable('The order database', error)
  }

  try {
    await app.orderQueue.send(toOrderMessage(row, requestId), requestId)
  } catch (error) {
    let deleted: boolean
    try {
      deleted = await deletePendingOrder(app.db, orderUuid)
    } catch (deleteError) {
      // The row stays pending with its reservation; the finalizer's stale-pending sweep re-sends it.
      log.error({ err: deleteError, order_uuid: orderUuid }, 'could not undo an unsent order')
      outcome.inc({ outcome: 'accepted_unsent' })
      return { order_uuid: orderUuid, status: 'pending' }
    }
    if (deleted) {
      outcome.inc({ outcome: 'queue_unavailable' })
      await release('send')
      throw unavailable('The order queue', error)
    }
    // Not pending any more: the send did arrive and the finalizer already settled the order.
  }
  outcome.inc({ outcome: 'accepted' })
  return { order_uuid: orderUuid, status: 'pending' }
}

/**
 * The order uuid already has a row: an Idempotency-Key retry after a crashed attempt that did insert.
 * Keep that order, drop this attempt's reservation and re-send its message (the finalizer is
 * idempotent, and the crashed attempt may never have sent it).
 */
async function resumeExisting(
  app: FastifyInstance,
  input: PlaceOrder & { orderUuid: string },
  release: (step: string) => Promise<void>,
): Promise<OrderAccepted> {
  await release('resume')
  const existing = await findOrderByUuid(app.db, input.orderUuid)
  if (!existing || Number(existing.user_id) !== input.userId) throw unavailable('The order database')
  if (existing.status === 'pending') {
    await app.orderQueue.send(toOrderMessage(existing, input.requestId), input.requestId).catch((error) => {
      input.log.warn({ err: error, order_uuid: input.orderUuid }, 'resend failed; left to the stale sweep')
    })
  }
  app.orderMetrics.outcomes.inc({ outcome: 'resumed' })
  return { order_uuid: existing.order_uuid, status: 'pending' }
}
