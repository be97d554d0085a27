import type { SettleBody } from '@flash/contracts'
import type { InventoryInternalClient } from '@flash/api-client'
import { isCommittedStatus, type OrderStatus } from '@flash/db'
import type { SettledOrder } from '../repositories/finalize.ts'

/**
 * What a decided order means for its reservation: it holds its units (commit), never got them
 * (release), or gave them back after holding them (return). A redelivered message settles again, so a
 * lost return is delivered by it too.
 */
export function settleOutcome(status: OrderStatus): SettleBody['outcome'] {
  if (isCommittedStatus(status)) return 'commit'
  if (status === 'expired' || status === 'cancelled') return 'return'
  return 'release'
}

/** Terminal orders become settle items (see settleOutcome). */
export function settleItems(orders: SettledOrder[]): SettleBody[] {
  return orders
    .filter((o) => o.status !== 'pending')
    .map((o) => ({
      reservation_id: o.reservation_id,
      product_id: o.product_id,
      user_id: o.user_id,
      quantity: o.quantity,
      outcome: settleOutcome(o.status),
    }))
}

/** The finalizer only settles: the shared internal client, under the name its workers use. */
export type SettleClient = Pick<InventoryInternalClient, 'settle' | 'ping' | 'close'>
