import type { Database } from '@flash/db'
import { expireDueOrders, markUnitsReturned, ordersOwedReturn } from '@flash/db'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { FinalizerMetrics } from '../plugins/metrics.ts'
import type { SettleClient } from './settle-items.ts'

export interface PaymentExpiryDeps {
  db: Kysely<Database>
  inventory: SettleClient
  log: FastifyBaseLogger
  metrics: FinalizerMetrics
}

/** Orders per pass and per settle call (the settle endpoint's limit). */
const LIMIT = 100

/**
 * One pass of the payment window's worker, safe on every instance at once:
 * 1. Orders not paid by `pay_by` end `expired`, their units back in `products.stock` in the same
 *    transaction (SKIP LOCKED rows: instances split the work, a payment holding a row keeps it).
 * 2. Every expired or cancelled order whose units Redis has not confirmed yet — the ones just expired,
 *    a cancel whose return call was lost, a pass that died after its commit — is returned in
 *    inventory-service (idempotent by reservation id), then marked returned. A crash between the two
 *    steps re-sends the return next pass, a no-op if it had landed.
 */
export async function expireUnpaidOrders(
  deps: PaymentExpiryDeps,
): Promise<{ expired: number; returned: number }> {
  const { db, inventory, log, metrics } = deps
  const expired = await expireDueOrders(db, LIMIT)
  if (expired.length) {
    metrics.paymentWindow.inc({ step: 'expired' }, expired.length)
    log.info({ order_uuids: expired.map((o) => o.order_uuid) }, 'unpaid orders expired; units back in stock')
  }
  const owed = await ordersOwedReturn(db, LIMIT)
  if (owed.length === 0) return { expired: expired.length, returned: 0 }
  await inventory.settle(
    owed.map((o) => ({
      reservation_id: o.reservation_id,
      product_id: o.product_id,
      user_id: o.user_id,
      quantity: o.quantity,
      outcome: 'return' as const,
    })),
    'payment-expiry',
  )
  await markUnitsReturned(
    db,
    owed.map((o) => o.id),
  )
  metrics.paymentWindow.inc({ step: 'returned' }, owed.length)
  return { expired: expired.length, returned: owed.length }
}
