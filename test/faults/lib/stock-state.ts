import type { StockState } from '@flash/contracts'
import { request } from 'undici'
import type { FaultStack } from './fault-stack.ts'

/**
 * inventory-service's audit view of the product (its Redis next to MySQL's books), from whichever
 * instance answers: one may be down in the middle of a scenario.
 */
export async function readStockState(fs: FaultStack, productId: number): Promise<StockState> {
  let last: unknown
  for (const instance of fs.instances('inventory-service')) {
    try {
      const res = await request(`${instance.url}/internal/products/${productId}/stock-state`, {
        headers: { authorization: `Bearer ${fs.serviceToken}` },
        headersTimeout: 3_000,
        bodyTimeout: 3_000,
      })
      const text = await res.body.text()
      if (res.statusCode === 200) return JSON.parse(text) as StockState
      last = new Error(`${instance.label} stock-state answered ${res.statusCode}: ${text.slice(0, 200)}`)
    } catch (error) {
      last = error
    }
  }
  throw last ?? new Error('no inventory-service instance')
}

/** Units Redis disagrees about (I4): |available − (stock − pending)| plus units still reserved. */
export function leakedUnits(state: StockState): number {
  const { redis, mysql } = state
  // Cold (no Redis state): the next warm-up rebuilds it from MySQL, so there is nothing to leak.
  const drift = redis.available === null ? 0 : Math.abs(redis.available - (mysql.stock - mysql.pending_qty))
  return drift + Math.max(redis.reserved_units, redis.reservations)
}
