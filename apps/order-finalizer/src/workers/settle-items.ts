import type { SettleBody } from '@flash/contracts'
import type { InventoryInternalClient } from '@flash/api-client'
import type { SettledOrder } from '../repositories/finalize.ts'

/** Terminal orders become settle items: completed commits the reservation, failed releases it. */
export function settleItems(orders: SettledOrder[]): SettleBody[] {
  return orders
    .filter((o) => o.status !== 'pending')
    .map((o) => ({
      reservation_id: o.reservation_id,
      product_id: o.product_id,
      user_id: o.user_id,
      quantity: o.quantity,
      outcome: o.status === 'completed' ? ('commit' as const) : ('release' as const),
    }))
}

/** The finalizer only settles: the shared internal client, under the name its workers use. */
export type SettleClient = Pick<InventoryInternalClient, 'settle' | 'ping' | 'close'>
