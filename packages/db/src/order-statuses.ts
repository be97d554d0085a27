import type { OrderStatus } from './schema.ts'

/**
 * Statuses of orders that hold their units: the stock is taken (or, pending, about to be) and the
 * units count against the buyer's `max_per_user`. Expired and cancelled orders gave theirs back;
 * failed ones never had any. Every count of "units a buyer holds" — the finalizer's guard, the warm-up
 * of Redis's per-user counts — reads this one list.
 */
export const UNITS_HELD_STATUSES: readonly OrderStatus[] = [
  'pending',
  'awaiting_payment',
  'paid',
  'completed',
]

/** Decided orders whose units stay taken: their reservation is committed, not released. */
export const COMMITTED_STATUSES: readonly OrderStatus[] = ['awaiting_payment', 'paid', 'completed']

/** Orders whose units went back on sale after being committed: their reservation is returned. */
export const RETURNED_STATUSES: readonly OrderStatus[] = ['expired', 'cancelled']

export const isCommittedStatus = (status: OrderStatus): boolean => COMMITTED_STATUSES.includes(status)
