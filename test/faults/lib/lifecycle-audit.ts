import { sql } from 'kysely'
import type { FaultStack } from './fault-stack.ts'
import type { LifecycleProgress } from './payments.ts'

interface OrderRow {
  order_uuid: string
  status: string
  units_returned_at: Date | null
  failed_reason: string | null
}

export interface LifecycleAudit {
  /**
   * Payments answered 2xx but not recorded, cancels answered 200 whose order is not cancelled, failed
   * orders without a reason (I3: failed means failed with its reason).
   */
  lost: number
  /** Payments applied to orders that are not paid, paid orders without one, `applied` answers not kept. */
  doubleSold: number
  /** Applied payments beyond one per order. */
  doubleCharged: number
  /** Expired or cancelled orders whose units Redis never confirmed back (the return outbox not empty). */
  leaked: number
  notes: string[]
}

const count = <T>(items: Iterable<T>, pick: (item: T) => boolean) => {
  let n = 0
  for (const item of items) if (pick(item)) n++
  return n
}

/**
 * The payment window's part of the contract (I7, and I3/I4 for the new states), read from MySQL directly
 * (never through a faulty proxy) and from what buyers and the provider were answered:
 * - every applied payment belongs to a paid order, every paid order has exactly one applied payment;
 * - a delivery answered 2xx is recorded (`payments`), and one answered `applied` left its order paid;
 * - late and duplicate payments are `refund_due` (or answered as duplicates), never a second sale;
 * - a cancel answered 200 left its order cancelled;
 * - every expired or cancelled order's units were confirmed back in Redis (`units_returned_at`).
 */
export async function auditLifecycle(
  fs: FaultStack,
  lifecycle: LifecycleProgress,
  rows: readonly OrderRow[],
  acceptedBy: ReadonlyMap<string, unknown>,
): Promise<LifecycleAudit> {
  const statusOf = new Map(rows.map((r) => [r.order_uuid, r.status]))
  const uuids = rows.map((r) => r.order_uuid)
  const payments = uuids.length
    ? await fs.db
        .selectFrom('payments')
        .select(['event_id', 'order_uuid', 'outcome', 'reason'])
        .where('order_uuid', 'in', uuids)
        .execute()
    : []
  const byEvent = new Map(payments.map((p) => [p.event_id, p]))
  // How close payments came to their order's pay_by (MySQL's clocks on both sides): the race's edge.
  const edge = uuids.length
    ? await fs.db
        .selectFrom('payments')
        .innerJoin('orders', 'orders.order_uuid', 'payments.order_uuid')
        .select(['payments.outcome', 'payments.reason'])
        .where('payments.order_uuid', 'in', uuids)
        .where(sql<boolean>`abs(timestampdiff(microsecond, orders.pay_by, payments.created_at)) <= 25000`)
        .execute()
    : []
  const appliedPer = new Map<string, number>()
  for (const p of payments)
    if (p.outcome === 'applied') appliedPer.set(p.order_uuid, (appliedPer.get(p.order_uuid) ?? 0) + 1)

  const appliedNotPaid = count(
    payments,
    (p) => p.outcome === 'applied' && statusOf.get(p.order_uuid) !== 'paid',
  )
  const paidWithout = count(rows, (r) => r.status === 'paid' && !appliedPer.has(r.order_uuid))
  const extraApplied = [...appliedPer.values()].reduce((s, n) => s + Math.max(0, n - 1), 0)

  let unrecorded = 0
  let appliedAnswerNotPaid = 0
  let cancelNotKept = 0
  let deliveries = 0
  let latePayments = 0
  let lateApplied = 0
  const answers = new Map<string, number>()
  const cancelAnswers = new Map<string, number>()
  for (const log of lifecycle.logs) {
    for (const [eventId, seen] of log.events) {
      deliveries += seen.length
      for (const a of seen) answers.set(a, (answers.get(a) ?? 0) + 1)
      if (seen.some((a) => a.startsWith('2')) && !byEvent.has(eventId)) unrecorded++
      if (seen.some((a) => a.startsWith('200 applied')) && statusOf.get(log.orderUuid) !== 'paid')
        appliedAnswerNotPaid++
      if (log.action === 'lapse') {
        latePayments++
        if (byEvent.get(eventId)?.outcome === 'applied') lateApplied++
      }
    }
    for (const a of log.cancels) cancelAnswers.set(a, (cancelAnswers.get(a) ?? 0) + 1)
    if (log.cancels.some((a) => a.startsWith('200')) && statusOf.get(log.orderUuid) !== 'cancelled')
      cancelNotKept++
  }
  const failedNoReason = count(rows, (r) => r.status === 'failed' && !r.failed_reason)
  const owedReturns = count(
    rows,
    (r) => (r.status === 'expired' || r.status === 'cancelled') && r.units_returned_at === null,
  )

  const notes: string[] = []
  const by = (m: Map<string, number>) => [...m].map(([k, n]) => `${k}×${n}`).join(', ') || 'none'
  const statuses = new Map<string, number>()
  for (const r of rows) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1)
  const actions = new Map<string, number>()
  for (const l of lifecycle.logs) actions.set(l.action, (actions.get(l.action) ?? 0) + 1)
  notes.push(`buyers' plans ${by(actions)}`)
  notes.push(`webhook deliveries ${deliveries} (${by(answers)})`)
  if (cancelAnswers.size) notes.push(`cancel answers ${by(cancelAnswers)}`)
  const outcomes = new Map<string, number>()
  for (const p of payments) {
    const k = `${p.outcome}${p.reason ? ` ${p.reason}` : ''}`
    outcomes.set(k, (outcomes.get(k) ?? 0) + 1)
  }
  notes.push(`payments recorded ${payments.length} (${by(outcomes)})`)
  if (edge.length) {
    const applied = count(edge, (p) => p.outcome === 'applied')
    notes.push(
      `${edge.length} payment(s) recorded within 25 ms of pay_by: ${applied} applied, ${edge.length - applied} late`,
    )
  }
  notes.push(`order rows by status ${by(statuses)}`)
  const took = count(rows, (r) => ['paid', 'awaiting_payment', 'expired', 'cancelled'].includes(r.status))
  notes.push(
    `${took} of ${acceptedBy.size} accepted order(s) took a unit (beyond supplied: returned units bought again)`,
  )
  if (latePayments) notes.push(`${latePayments} payment(s) after expiry, ${lateApplied} of them applied`)
  if (unrecorded) notes.push(`${unrecorded} payment event(s) answered 2xx but not recorded`)
  if (appliedAnswerNotPaid)
    notes.push(`${appliedAnswerNotPaid} event(s) answered applied whose order is not paid`)
  if (cancelNotKept) notes.push(`${cancelNotKept} cancel(s) answered 200 whose order is not cancelled`)
  if (appliedNotPaid) notes.push(`${appliedNotPaid} applied payment(s) on orders that are not paid`)
  if (paidWithout) notes.push(`${paidWithout} paid order(s) without an applied payment`)
  if (extraApplied) notes.push(`${extraApplied} applied payment(s) beyond one per order`)
  if (failedNoReason) notes.push(`${failedNoReason} failed order(s) without a reason`)
  if (owedReturns) notes.push(`${owedReturns} expired/cancelled order(s) whose units Redis never confirmed`)
  return {
    lost: unrecorded + cancelNotKept + failedNoReason,
    doubleSold: appliedNotPaid + paidWithout + appliedAnswerNotPaid,
    doubleCharged: extraApplied,
    leaked: owedReturns,
    notes,
  }
}
