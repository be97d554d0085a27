// When a flash sale's load stops (pure). It runs at least --duration, so answered/s covers the same
// stretch as every other scenario, and past that until the units are sold out (plus a second of
// refusals after it), at most --sale-max: a sell-out time is only comparable if both designs sold out.

/** Refusals kept after the sell-out: the sold-out answers of a sale are part of its workload. */
export const AFTER_SELL_OUT_MS = 1_000

export function saleOver(opts: {
  elapsedMs: number
  minMs: number
  maxMs: number
  /** Load-relative ms at which the sale was seen sold out (undefined: not yet). */
  soldOutAtMs: number | undefined
}): boolean {
  const { elapsedMs, minMs, maxMs, soldOutAtMs } = opts
  if (elapsedMs >= maxMs) return true
  if (elapsedMs < minMs) return false
  return soldOutAtMs !== undefined && elapsedMs - soldOutAtMs >= AFTER_SELL_OUT_MS
}
