// The invariants of docs/correctness.md after a flash sale has drained: the engine's judge of a sale
// (tools/src/load/audit/judge.ts), fed from MySQL instead of the public API, plus what only the
// harness can compare — Redis (inventory-service's answer) against MySQL (pure).
import { judgeSale } from '../../load/audit/judge.ts'
import type { Check } from '../report/types.ts'

export interface SaleState {
  /** 2xx answers the load generator received. */
  accepted: number
  /**
   * Requests still in flight when the load generator stopped (its connection count): the server may
   * have accepted them without the answer being counted, so up to this many more orders may exist.
   */
  inFlightAtStop: number
  /** The product's MySQL row (supplied: every unit made available, restocks included). */
  product: { stock: number; supplied: number }
  orders: { pending: number; completed: number; failed: number; completedQuantity: number }
  /** What inventory-service reports as available now (Redis), if asked. */
  inventoryStock?: number | undefined
  /** Demand exceeded supply within the run: then every unit must be sold. */
  soldOut: boolean
}

export function saleChecks(s: SaleState): Check[] {
  const { product, orders } = s
  const checks = judgeSale({
    supplied: product.supplied,
    accepted: s.accepted,
    inFlightAtStop: s.inFlightAtStop,
    orders: {
      total: orders.pending + orders.completed + orders.failed,
      pending: orders.pending,
      completed: orders.completed,
      failed: orders.failed,
      completedUnits: orders.completedQuantity,
    },
    available: product.stock,
    soldOut: s.soldOut,
  })
  if (s.inventoryStock !== undefined)
    checks.push({
      id: 'I4',
      label: 'no leak (Redis = MySQL)',
      pass: s.inventoryStock === product.stock,
      detail: `inventory-service says ${s.inventoryStock} available, MySQL stock ${product.stock}`,
    })
  return checks
}
