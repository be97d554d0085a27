// The post-run checks of docs/correctness.md that the public API can prove (pure, unit-tested).
import type { Check } from './types.ts'

export interface SaleFacts {
  /** Units made available for sale (creation + restocks by the run). */
  supplied: number
  /** 2xx answers the load generator read. */
  accepted: number
  /** Requests in flight when the load stopped: accepted by the server, answer never read. */
  inFlightAtStop: number
  orders: { total: number; pending: number; completed: number; failed: number; completedUnits: number }
  /** GET /api/products/:id stock after the drain. */
  available: number | undefined
  /** The sale sold out during the run (demand exceeded supply): then everything must be sold. */
  soldOut: boolean
}

export function judgeSale(f: SaleFacts, product: number | string = ''): Check[] {
  const p = product === '' ? '' : ` (product ${product})`
  const o = f.orders
  const checks: Check[] = [
    {
      id: 'I1',
      label: `completed units ≤ units made available${p}`,
      pass: o.completedUnits <= f.supplied,
      detail: `${o.completedUnits} completed ≤ ${f.supplied} supplied`,
    },
    {
      id: 'I3',
      label: `every accepted order reached a terminal state${p}`,
      pass: o.pending === 0 && o.total >= f.accepted && o.total <= f.accepted + f.inFlightAtStop,
      detail:
        `${f.accepted} answered 2xx (+ up to ${f.inFlightAtStop} in flight at the stop); ` +
        `${o.total} orders: ${o.completed} completed, ${o.failed} failed, ${o.pending} pending`,
    },
    {
      id: 'I2',
      label: `available stock = units made available − units sold${p}`,
      pass: f.available === f.supplied - o.completedUnits,
      detail: `available ${f.available ?? 'unknown'} = ${f.supplied} − ${o.completedUnits}`,
    },
    {
      id: 'I6',
      label: `zero failed orders${p}`,
      pass: o.failed === 0,
      detail: `${o.failed} failed`,
    },
  ]
  if (f.soldOut)
    checks.push({
      id: 'I6-sold',
      label: `demand exceeded supply: every unit sold${p}`,
      pass: o.completedUnits === f.supplied,
      detail: `${o.completedUnits} of ${f.supplied} sold`,
    })
  return checks
}

export interface ShopProduct {
  id: number
  supplied: number
  available: number | undefined
  orders: SaleFacts['orders']
}

/** steady-shop: many products, none sold out on purpose — conservation per product, nothing lost. */
export function judgeShop(
  products: readonly ShopProduct[],
  accepted: number,
  inFlightAtStop: number,
): Check[] {
  const total = products.reduce(
    (t, p) => ({
      all: t.all + p.orders.total,
      pending: t.pending + p.orders.pending,
      failed: t.failed + p.orders.failed,
    }),
    { all: 0, pending: 0, failed: 0 },
  )
  const oversold = products.filter((p) => p.orders.completedUnits > p.supplied)
  const drift = products.filter((p) => p.available !== p.supplied - p.orders.completedUnits)
  return [
    {
      id: 'I1',
      label: 'completed units ≤ units made available, every product',
      pass: oversold.length === 0,
      detail: oversold.length
        ? `oversold: ${oversold.map((p) => p.id).join(', ')}`
        : `${products.length} products`,
    },
    {
      id: 'I3',
      label: 'every accepted order reached a terminal state',
      pass: total.pending === 0 && total.all >= accepted && total.all <= accepted + inFlightAtStop,
      detail: `${accepted} answered 2xx (+ up to ${inFlightAtStop} in flight at the stops); ${total.all} orders, ${total.pending} pending`,
    },
    {
      id: 'I2',
      label: 'available stock = units made available − units sold, every product',
      pass: drift.length === 0,
      detail: drift.length
        ? drift
            .map((p) => `product ${p.id}: ${p.available} ≠ ${p.supplied} − ${p.orders.completedUnits}`)
            .join('; ')
        : `${products.length} products agree`,
    },
    { id: 'I6', label: 'zero failed orders', pass: total.failed === 0, detail: `${total.failed} failed` },
  ]
}
