/**
 * The sale window as MySQL guards it: an order whose row was written before its product's sale opened,
 * or once it had ended, is never completed, whatever Redis let through (a state restored from before
 * a PATCH, a window applied late to Redis, a reserve script racing the change). The row's `created_at`
 * is written by MySQL itself (CURRENT_TIMESTAMP(3), UTC sessions), so the decision does not depend on
 * any service host's clock. Redis's TIME opens the sale for reservations; a MySQL clock behind it
 * would fail the first orders of the opening instant instead of completing them early — the guard
 * errs on the side of the window.
 */
export type SaleWindowReason = 'sale_not_started' | 'sale_ended'

export interface SaleWindow {
  sale_starts_at: Date | null
  sale_ends_at: Date | null
}

/** The reason an order written at `createdAt` is outside the window, or undefined when inside. */
export function outsideSaleWindow(window: SaleWindow, createdAt: Date): SaleWindowReason | undefined {
  const at = createdAt.getTime()
  if (window.sale_starts_at !== null && at < window.sale_starts_at.getTime()) return 'sale_not_started'
  if (window.sale_ends_at !== null && at >= window.sale_ends_at.getTime()) return 'sale_ended'
  return undefined
}
