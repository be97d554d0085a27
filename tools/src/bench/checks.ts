// The invariants of docs/correctness.md after a flash sale has drained, judged from MySQL and inventory-service (pure).
import type { Check } from './report/types.ts'

export interface SaleState {
  /** Stock the product was created with (no restocks during the bench). */
  initialStock: number
  /** 2xx answers the load generator received. */
  accepted: number
  /**
   * Requests still in flight when the load generator stopped (its connection count): the server may
   * have accepted them without the answer being counted, so up to this many more orders may exist.
   */
  inFlightAtStop: number
  product: { stock: number; supplied: number }
  orders: { pending: number; completed: number; failed: number; completedQuantity: number }
  /** What inventory-service reports as available now (Redis), if asked. */
  inventoryStock?: number | undefined
  /** A request sent after the opening was refused: the units ran out within the run. */
  soldOut?: boolean
}

export function saleChecks(s: SaleState): Check[] {
  const { product, orders } = s
  const checks: Check[] = [
    {
      id: 'I1',
      label: 'no oversell',
      pass: product.stock >= 0 && orders.completedQuantity <= product.supplied,
      detail: `stock ${product.stock} ≥ 0, completed quantity ${orders.completedQuantity} ≤ supplied ${product.supplied}`,
    },
    {
      id: 'I2',
      label: 'conservation',
      pass: product.stock === product.supplied - orders.completedQuantity,
      detail: `stock ${product.stock} = supplied ${product.supplied} − completed ${orders.completedQuantity}`,
    },
    {
      id: 'I3',
      label: 'no lost order',
      pass:
        orders.pending === 0 &&
        orders.completed + orders.failed >= s.accepted &&
        orders.completed + orders.failed <= s.accepted + s.inFlightAtStop,
      detail:
        `${s.accepted} answered 2xx (+ up to ${s.inFlightAtStop} in flight at the stop), ` +
        `${orders.completed} completed + ${orders.failed} failed, ${orders.pending} pending`,
    },
  ]
  if (s.inventoryStock !== undefined) {
    checks.push({
      id: 'I4',
      label: 'no leak (Redis = MySQL)',
      pass: s.inventoryStock === product.stock,
      detail: `inventory-service says ${s.inventoryStock} available, MySQL stock ${product.stock}`,
    })
  }
  // "All sold" is only owed when demand exceeded supply within the run (it sold out); a run too short
  // to sell the units is a measurement problem the report names, not an undersell.
  const mustSellAll = s.soldOut !== false
  checks.push({
    id: 'I6',
    label: mustSellAll
      ? 'no undersell, no failed order'
      : 'no failed order (did not sell out within the run)',
    pass:
      orders.failed === 0 &&
      (!mustSellAll || (orders.completedQuantity === s.initialStock && product.stock === 0)),
    detail: `${orders.completedQuantity} of ${s.initialStock} sold, ${orders.failed} failed, MySQL stock ${product.stock}`,
  })
  return checks
}
