import { isFence } from '@flash/db'
import { inParallel } from '@flash/test-kit'
import type { Convergence } from './converge.ts'
import type { FaultStack } from './fault-stack.ts'
import { auditLifecycle } from './lifecycle-audit.ts'
import type { LifecycleProgress } from './payments.ts'
import type { SaleOrder } from './sale.ts'
import { leakedUnits, readStockState } from './stock-state.ts'

/** One line of the fault matrix: every column but `seconds` must be 0. */
export interface MatrixRow {
  fault: string
  accepted: number
  lost: number
  oversold: number
  doubleCharged: number
  /**
   * I7, payment rows only (0 elsewhere): units put back on sale beyond once, payments applied to orders
   * that are not paid, paid orders without their applied payment, payments answered `applied` whose
   * order did not end paid.
   */
  doubleSold: number
  leaked: number
  failed: number
  /** Units buyers completed beyond the product's max_per_user, summed over buyers. */
  overLimit: number
  /** Requests that got no HTTP answer within the client's timeout (or no connection at all). */
  unanswered: number
  /** Keys refused (4xx) although their order completed: charged, told no. */
  chargedToldNo: number
  seconds: number
  converged: boolean
  /** What the numbers do not say: answers seen, self-crashes, why it did not converge … */
  notes: string[]
}

const count = <T>(items: readonly T[], pick: (item: T) => boolean) => items.filter(pick).length

/**
 * Judges the correctness contract for one sale after convergence (or after giving up on it):
 * - accepted: distinct orders answered 202;
 * - lost (I3): accepted orders their owner could not GET right after the 202 (404), or cannot GET
 *   or see terminal after convergence;
 * - oversold (I1): completed units beyond the stock ever supplied, plus any stock below 0;
 * - double-charged (I2, I5): order rows beyond one per Idempotency-Key (each buyer sent one key),
 *   plus units MySQL stock went down by beyond Σ completed. Fence rows (`failed`, `abandoned`: an
 *   intake or the sweeper claimed a reservation whose order was never written, its buyer was told
 *   503) are not orders anyone is charged for, and are reported apart;
 * - leaked (I4): Redis available ≠ stock − Σ pending, plus units still reserved;
 * - failed (I6): accepted orders that ended `failed` — except an extra order MySQL's per-user guard
 *   refused (`per_user_limit`) for a buyer who holds the limit already: the guard doing its job after
 *   Redis forgot what the buyer held (reported in the notes);
 * - over limit: units a buyer completed beyond max_per_user, summed over buyers (MySQL's guard);
 * - unanswered: requests that got no HTTP answer at all (the client's 3 s timeout, a reset);
 * - charged, told no (I5, beyond the issue's columns): a key's last answer was a refusal (4xx such as
 *   409 out_of_stock) although the order under that key completed — a replay must return the original
 *   answer, never a "no" for an order that is being charged.
 * MySQL is read directly and Redis through inventory's stock-state, never through a faulty proxy.
 *
 * In a payment row (`lifecycle`) "completed" reads "paid or awaiting payment" (units sold), terminal means
 * paid / expired / cancelled / failed, and lifecycle-audit.ts adds the I7 checks (double-sold, one applied
 * payment per paid order, returns owed).
 */
export async function measure(
  fs: FaultStack,
  fault: string,
  productId: number,
  orders: SaleOrder[],
  convergence: Convergence,
  {
    guardRefusalsExpected = false,
    lifecycle,
  }: {
    guardRefusalsExpected?: boolean
    /** A payment row: orders end paid / expired / cancelled / failed, and the I7 audit runs. */
    lifecycle?: LifecycleProgress
  } = {},
): Promise<MatrixRow> {
  // Without a payment window an order ends `completed`; with one, its unit is sold while it awaits payment
  // or once paid, and back on sale once expired or cancelled.
  const terminal = new Set(lifecycle ? ['paid', 'expired', 'cancelled', 'failed'] : ['completed', 'failed'])
  const holding = new Set(lifecycle ? ['paid', 'awaiting_payment'] : ['completed'])
  // Statuses that mean "this key's order was accepted and taken", whatever happened to it later.
  const granted = new Set(lifecycle ? ['paid', 'awaiting_payment', 'expired', 'cancelled'] : ['completed'])
  const logs = orders.map((o) => o.log)
  const acceptedBy = new Map<string, SaleOrder['buyer']>()
  for (const { buyer, log } of orders) {
    if (log.outcome.kind === 'accepted') acceptedBy.set(log.outcome.orderUuid, buyer)
  }

  // I3 as the buyer sees it: the order through the public API with the owner's token.
  const accepted = [...acceptedBy]
  const seen = await inParallel(accepted.length, 16, async (i) => {
    const [uuid, buyer] = accepted[i]!
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const res = await fs.api.getOrder(buyer.token, uuid)
        if (res.ok) return { uuid, status: res.data.status }
        if (res.status === 404) return { uuid, status: 'not_found' }
      } catch {
        // Transient: the audit retries a bounded number of times before calling it lost.
      }
      await new Promise((r) => setTimeout(r, 200))
    }
    return { uuid, status: 'unreadable' }
  })
  // Lost: not terminal (or not readable) now, or answered 404 to its owner right after its 202.
  const lostNow = new Set(seen.filter((s) => !terminal.has(s.status)).map((s) => s.uuid))
  for (const log of logs) {
    if (log.outcome.kind === 'accepted' && log.seenAtOnce === 404) lostNow.add(log.outcome.orderUuid)
  }
  const lost = lostNow.size

  const rows = await fs.db
    .selectFrom('orders')
    .select([
      'id',
      'order_uuid',
      'user_id',
      'status',
      'quantity',
      'idempotency_key',
      'failed_reason',
      'units_returned_at',
    ])
    .where('product_id', '=', productId)
    .execute()
  const product = await fs.db
    .selectFrom('products')
    .select(['stock', 'supplied', 'max_per_user'])
    .where('id', '=', productId)
    .executeTakeFirstOrThrow()
  const completedUnits = rows.filter((r) => holding.has(r.status)).reduce((s, r) => s + r.quantity, 0)
  const oversold = Math.max(0, completedUnits - product.supplied) + Math.max(0, -product.stock)

  // Per key (a greedy buyer sends two): the rows carry the key they were placed under.
  const keyOf = (userId: number, key: string | null) => `${userId}:${key ?? '-'}`
  const completedKeys = new Set(
    rows.filter((r) => granted.has(r.status)).map((r) => keyOf(r.user_id, r.idempotency_key)),
  )
  const chargedToldNo = count(
    orders,
    ({ buyer, idempotencyKey, log }) =>
      log.outcome.kind === 'refused' &&
      log.outcome.status >= 400 &&
      log.outcome.status < 500 &&
      completedKeys.has(keyOf(buyer.userId, idempotencyKey)),
  )

  // The per-user limit as MySQL's rows tell it.
  const unitsOf = new Map<number, number>()
  for (const r of rows)
    if (holding.has(r.status)) unitsOf.set(r.user_id, (unitsOf.get(r.user_id) ?? 0) + r.quantity)
  const limit = product.max_per_user
  const overLimit = limit ? [...unitsOf.values()].reduce((s, units) => s + Math.max(0, units - limit), 0) : 0
  // Refused by MySQL's guards where Redis was wrong: a buyer's extra order while the buyer already holds
  // the limit, always; any stock or limit refusal when the scenario's fault outlasts the filter.
  const guarded = rows.filter(
    (r) =>
      r.status === 'failed' &&
      ((r.failed_reason === 'per_user_limit' && limit && (unitsOf.get(r.user_id) ?? 0) >= limit) ||
        (guardRefusalsExpected &&
          (r.failed_reason === 'insufficient_stock' || r.failed_reason === 'per_user_limit'))),
  )
  const guardedUuids = new Set(guarded.map((r) => r.order_uuid))
  const failed = count(seen, (s) => s.status === 'failed' && !guardedUuids.has(s.uuid))
  const unanswered = logs.reduce((sum, log) => sum + count(log.answers, (a) => !/^\d{3}/.test(a)), 0)

  const fences = count(rows, isFence)
  const rowsPerBuyer = new Map<string, number>()
  for (const r of rows) {
    if (isFence(r)) continue
    const key = keyOf(r.user_id, r.idempotency_key)
    rowsPerBuyer.set(key, (rowsPerBuyer.get(key) ?? 0) + 1)
  }
  const extraRows = [...rowsPerBuyer.values()].reduce((s, n) => s + Math.max(0, n - 1), 0)
  const overDecrement = Math.max(0, product.supplied - product.stock - completedUnits)

  // Stock above supplied − Σ held: a unit came back more than once (only possible with returns).
  const overReturn = lifecycle ? Math.max(0, product.stock - (product.supplied - completedUnits)) : 0
  const extra = lifecycle
    ? await auditLifecycle(fs, lifecycle, rows, acceptedBy)
    : { lost: 0, doubleSold: 0, doubleCharged: 0, leaked: 0, notes: [] }

  const state = await readStockState(fs, productId).catch(() => undefined)
  const leaked = state ? leakedUnits(state) : Number.NaN

  const notes: string[] = []
  const answers = new Map<string, number>()
  for (const log of logs) for (const a of log.answers) answers.set(a, (answers.get(a) ?? 0) + 1)
  notes.push(`answers ${[...answers].map(([a, n]) => `${a}×${n}`).join(', ')}`)
  const invisible = count(logs, (l) => l.seenAtOnce === 404)
  if (invisible)
    notes.push(`${invisible} accepted order(s) answered 404 to their owner right after the 202 (I3)`)
  const gaveUp = count(logs, (l) => l.outcome.kind === 'gave_up')
  if (gaveUp) notes.push(`${gaveUp} buyer(s) gave up without an answer`)
  const statusOf = new Map<string, number>()
  for (const s of seen) statusOf.set(s.status, (statusOf.get(s.status) ?? 0) + 1)
  notes.push(`accepted orders now ${[...statusOf].map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}`)
  notes.push(
    `MySQL: ${rows.length} rows, stock ${product.stock}, supplied ${product.supplied}, ${lifecycle ? 'paid + awaiting' : 'completed'} ${completedUnits}`,
  )
  if (overReturn) notes.push(`stock ${overReturn} above supplied − Σ held: units returned more than once`)
  notes.push(...extra.notes)
  if (extraRows) {
    // A few examples, for whoever fixes it: which statuses, and whether the key reached the rows.
    const examples = [...rowsPerBuyer]
      .filter(([, n]) => n > 1)
      .slice(0, 3)
      .map(([user, n]) => {
        const mine = rows.filter((r) => keyOf(r.user_id, r.idempotency_key) === user)
        const keys = new Set(mine.map((r) => r.idempotency_key ?? 'null'))
        return `user ${user}: ${n} rows (${mine.map((r) => r.status).join(', ')}; key column ${[...keys].join(' / ')})`
      })
    notes.push(`${extraRows} order row(s) beyond one per Idempotency-Key, e.g. ${examples.join('; ')}`)
  }
  if (guarded.length) {
    const by = new Map<string, number>()
    for (const r of guarded) by.set(r.failed_reason ?? '?', (by.get(r.failed_reason ?? '?') ?? 0) + 1)
    notes.push(
      `${guarded.length} accepted order(s) refused by MySQL's guards (${[...by].map(([k, n]) => `${k} ${n}`).join(', ')})`,
    )
  }
  if (unanswered) notes.push(`${unanswered} request(s) got no HTTP answer`)
  if (overDecrement) notes.push(`stock decremented ${overDecrement} beyond Σ completed`)
  if (fences) notes.push(`${fences} fence row(s) for reservations whose order was never written`)
  const untold = rows.filter((r) => !acceptedBy.has(r.order_uuid))
  if (untold.length > 0) {
    const by = new Map<string, number>()
    for (const r of untold) by.set(r.status, (by.get(r.status) ?? 0) + 1)
    const split = [...by].map(([status, n]) => `${status} ${n}`).join(', ')
    notes.push(`${untold.length} order row(s) no buyer was told about (${split})`)
  }
  if (state) {
    notes.push(
      `Redis: available ${state.redis.available}, reservations ${state.redis.reservations} (${state.redis.reserved_units} units)`,
    )
  } else notes.push('stock-state unreadable')
  if (!convergence.converged) notes.push(`did not converge: ${convergence.lastReason}`)
  // With a payment window, units expired after the last buyer left are back on sale by design.
  if (!lifecycle && product.stock > 0 && count(logs, (l) => l.outcome.kind !== 'accepted') > 0) {
    notes.push(`undersold: ${product.stock} unit(s) left while buyers were turned away (I6)`)
  }

  return {
    fault,
    accepted: acceptedBy.size,
    lost: lost + extra.lost,
    oversold,
    doubleCharged: extraRows + overDecrement + extra.doubleCharged,
    doubleSold: overReturn + extra.doubleSold,
    leaked: leaked + extra.leaked,
    failed,
    overLimit,
    unanswered,
    chargedToldNo,
    seconds: convergence.seconds,
    converged: convergence.converged,
    notes,
  }
}
