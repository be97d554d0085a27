/**
 * The rules of a product's sale window, in one place: what an admin may set at creation and change
 * later. Times are ms on Redis's clock (TIME), the clock the reserve script opens and closes the sale by,
 * so "has it opened?" here means exactly what it means to a buyer.
 *
 * - A product without a start is on sale now; one whose start has passed is open.
 * - The start of an open sale never moves: buyers have been told it opened (and some bought). Units
 *   are still added by a restock, and the end may still change.
 * - A start that changes must be in the future; an end that changes must be in the future; an end is
 *   always after the start.
 * - A value sent unchanged is not a change (a retried PATCH answers as the first did).
 */
export interface SaleWindowMs {
  startsMs: number | null
  endsMs: number | null
}

/** What a request asks for: undefined = leave as it is, null = clear. */
export interface SaleWindowChange {
  startsMs?: number | null
  endsMs?: number | null
}

export type WindowDecision =
  | { ok: true; window: SaleWindowMs; changed: boolean }
  | { ok: false; code: 'sale_already_open' | 'sale_window_invalid'; field: string; message: string }

export function isOpen(window: SaleWindowMs, nowMs: number): boolean {
  return (
    (window.startsMs === null || window.startsMs <= nowMs) &&
    (window.endsMs === null || nowMs < window.endsMs)
  )
}

export type WindowRefusal = Extract<WindowDecision, { ok: false }>

/** `current` undefined: a product being created (nothing has opened yet). */
export function decideWindow(
  current: SaleWindowMs | undefined,
  change: SaleWindowChange,
  nowMs: number,
): WindowDecision {
  const before = current ?? { startsMs: null, endsMs: null }
  const startsMs = change.startsMs === undefined ? before.startsMs : change.startsMs
  const endsMs = change.endsMs === undefined ? before.endsMs : change.endsMs
  const startMoves = current === undefined ? startsMs !== null : startsMs !== before.startsMs
  const endMoves = current === undefined ? endsMs !== null : endsMs !== before.endsMs
  const opened = current !== undefined && (before.startsMs === null || before.startsMs <= nowMs)
  if (startMoves && opened) {
    return {
      ok: false,
      code: 'sale_already_open',
      field: 'body.sale_starts_at',
      message: 'the sale has opened: its start can no longer move',
    }
  }
  if (startMoves && startsMs !== null && startsMs <= nowMs) {
    return invalid('body.sale_starts_at', 'must be in the future')
  }
  if (endMoves && endsMs !== null && endsMs <= nowMs)
    return invalid('body.sale_ends_at', 'must be in the future')
  if (endsMs !== null && startsMs !== null && endsMs <= startsMs) {
    return invalid('body.sale_ends_at', 'must be after sale_starts_at')
  }
  return { ok: true, window: { startsMs, endsMs }, changed: startMoves || endMoves }
}

const invalid = (field: string, message: string): WindowDecision => ({
  ok: false,
  code: 'sale_window_invalid',
  field,
  message,
})

/** RFC 3339 in, ms out (null stays null, absent stays absent). */
export function parseInstant(value: string | null | undefined): number | null | undefined {
  if (value === undefined || value === null) return value
  return Date.parse(value)
}
