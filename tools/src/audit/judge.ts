import type { StockState } from '@flash/contracts'

export interface AuditFinding {
  product_id: number
  invariant: 'I1' | 'I2' | 'I4'
  ok: boolean
  detail: string
}

/**
 * The invariants of docs/correctness.md that one product's stock-state can prove. I4 (Redis = MySQL, no
 * reservation left) only holds when nothing is in flight, so it is judged only then; a cold product
 * (no Redis state) trivially agrees — the next warm-up rebuilds it from MySQL.
 */
export function judgeStock(state: StockState): AuditFinding[] {
  const { product_id, mysql, redis } = state
  // Units taken from stock: completed, paid, and held by orders awaiting their payment. Expired and
  // cancelled orders gave theirs back, so they are in stock again and not subtracted.
  const sold = mysql.completed_qty + mysql.paid_qty + mysql.awaiting_payment_qty
  const soldText =
    `completed ${mysql.completed_qty} + paid ${mysql.paid_qty} + awaiting ${mysql.awaiting_payment_qty}` +
    ` (expired ${mysql.expired_qty}, cancelled ${mysql.cancelled_qty} returned)`
  const findings: AuditFinding[] = [
    {
      product_id,
      invariant: 'I1',
      ok: mysql.stock >= 0 && sold <= mysql.supplied,
      detail: `stock ${mysql.stock} ≥ 0, ${soldText} ≤ supplied ${mysql.supplied}`,
    },
    {
      product_id,
      invariant: 'I2',
      ok: mysql.stock === mysql.supplied - sold,
      detail: `stock ${mysql.stock} = supplied ${mysql.supplied} − ${soldText}`,
    },
  ]
  const idle = mysql.pending_qty === 0 && redis.reservations === 0
  if (idle && redis.available !== null) {
    findings.push({
      product_id,
      invariant: 'I4',
      ok: redis.available === mysql.stock && redis.reserved_units === 0,
      detail: `Redis available ${redis.available} = MySQL stock ${mysql.stock}, reserved units ${redis.reserved_units}`,
    })
  }
  return findings
}

/**
 * What the reconciler repaired on this product since its last rebuild (drift a fault left between
 * Redis and MySQL): not a failure — the invariants above are judged after the repair — but what an
 * operator wants to see after an incident. Undefined when nothing was repaired.
 */
export function describeRepairs(state: StockState): string | undefined {
  const { repairs, last_repair_delta: delta, last_repair_at: at } = state.redis
  if (!repairs) return undefined
  const when = at ? new Date(at).toISOString() : 'unknown time'
  return `product ${state.product_id}: ${repairs} repair(s) by the reconciler, last ${delta! > 0 ? '+' : ''}${delta} unit(s) at ${when}`
}
