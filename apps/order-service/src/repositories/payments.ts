import type { Payment } from '@flash/contracts'
import { type Database, isDuplicateKey, type PaymentOutcome, type PaymentRow } from '@flash/db'
import { type Kysely, sql } from 'kysely'
import type { PaymentEvent } from '../payments/provider.ts'

export type RecordedPayment =
  | { found: false }
  | { found: true; outcome: PaymentOutcome; duplicate: boolean; reason: string | null }

/** Why a payment is kept for a refund instead of applied (`payments.reason`). */
type RefundReason = 'late' | 'already_paid' | 'amount_mismatch' | 'not_payable'

/**
 * Records one provider event, once, and applies it if its order can take it — in one transaction that
 * holds the order row's lock, so it is ordered against the finalizer, the expiry pass and a cancel:
 *
 * - still `awaiting_payment`, before `pay_by` (MySQL's clock), the right amount → `paid`;
 * - anything else (expired, cancelled, past `pay_by`, already paid, never waiting, wrong amount) → the
 *   order is left as it is and the payment recorded `refund_due`: a late payment never resells or
 *   double-sells a unit, and the money is not lost (GET /api/admin/payments?refund_due=true).
 *
 * The (provider, event_id) unique key makes a redelivery a duplicate that reports the first outcome;
 * two deliveries at once queue on the order lock, and the key is the backstop. The caller answers 2xx
 * only after this returns, i.e. after COMMIT: a lost reply is answered 503 and the provider's retry
 * finds the duplicate. An unknown order writes nothing.
 */
export async function recordPayment(
  db: Kysely<Database>,
  provider: string,
  event: PaymentEvent,
): Promise<RecordedPayment> {
  try {
    return await db
      .transaction()
      .setIsolationLevel('read committed')
      .execute(async (trx) => {
        const order = await trx
          .selectFrom('orders')
          .select([
            'id',
            'status',
            'total_price_cents',
            sql<number>`pay_by is not null and pay_by > current_timestamp(3)`.as('in_time'),
          ])
          .where('order_uuid', '=', event.orderUuid)
          .forUpdate()
          .executeTakeFirst()
        if (!order) return { found: false as const }
        const earlier = await findPayment(trx, provider, event.eventId)
        if (earlier)
          return { found: true as const, outcome: earlier.outcome, duplicate: true, reason: earlier.reason }

        let reason: RefundReason | null = null
        if (order.status === 'paid') reason = 'already_paid'
        else if (order.status === 'expired' || order.status === 'cancelled') reason = 'late'
        else if (order.status !== 'awaiting_payment') reason = 'not_payable'
        else if (!Number(order.in_time)) reason = 'late'
        else if (event.amountCents !== Number(order.total_price_cents)) reason = 'amount_mismatch'
        const outcome: PaymentOutcome = reason === null ? 'applied' : 'refund_due'

        await trx
          .insertInto('payments')
          .values({
            provider,
            event_id: event.eventId,
            order_uuid: event.orderUuid,
            amount_cents: event.amountCents,
            currency: event.currency,
            outcome,
            reason,
          })
          .execute()
        if (outcome === 'applied') {
          await trx
            .updateTable('orders')
            .set({ status: 'paid', updated_at: sql<Date>`current_timestamp(3)` })
            .where('id', '=', order.id)
            .where('status', '=', 'awaiting_payment')
            .execute()
        }
        return { found: true as const, outcome, duplicate: false, reason }
      })
  } catch (error) {
    // The same event committed by a concurrent delivery between our read and our insert.
    if (!isDuplicateKey(error)) throw error
    const earlier = await findPayment(db, provider, event.eventId)
    if (!earlier) throw error
    return { found: true, outcome: earlier.outcome, duplicate: true, reason: earlier.reason }
  }
}

function findPayment(
  db: Kysely<Database>,
  provider: string,
  eventId: string,
): Promise<PaymentRow | undefined> {
  return db
    .selectFrom('payments')
    .selectAll()
    .where('provider', '=', provider)
    .where('event_id', '=', eventId)
    .executeTakeFirst()
}

export type RefundMark = { kind: 'marked'; payment: PaymentRow } | { kind: 'not_found' } | { kind: 'applied' }

/**
 * An admin made the refund at the provider: the payment leaves the refund list. Only a `refund_due`
 * payment changes (the conditional UPDATE is the guard: two admins at once mark it once); marking one
 * already `refunded` again answers it as it is, so a retried click is harmless.
 */
export async function markRefunded(db: Kysely<Database>, id: number): Promise<RefundMark> {
  await db
    .updateTable('payments')
    .set({ outcome: 'refunded', updated_at: sql`current_timestamp(3)` })
    .where('id', '=', id)
    .where('outcome', '=', 'refund_due')
    .execute()
  const payment = await db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst()
  if (!payment) return { kind: 'not_found' }
  if (payment.outcome === 'applied') return { kind: 'applied' }
  return { kind: 'marked', payment }
}

/** Payments newest first (keyset by id), optionally only those still to be refunded. */
export async function listPayments(
  db: Kysely<Database>,
  options: { refundDue: boolean; beforeId: number | undefined; limit: number },
): Promise<PaymentRow[]> {
  let query = db.selectFrom('payments').selectAll()
  if (options.refundDue) query = query.where('outcome', '=', 'refund_due')
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId)
  return query.orderBy('id', 'desc').limit(options.limit).execute()
}

export function toPayment(row: PaymentRow): Payment {
  return {
    id: Number(row.id),
    provider: row.provider,
    event_id: row.event_id,
    order_uuid: row.order_uuid,
    amount_cents: Number(row.amount_cents),
    currency: row.currency,
    outcome: row.outcome,
    reason: row.reason,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}
