import { SALE_RETRY_AFTER_MAX_SECONDS, type SaleClosed } from '@flash/contracts'
import { LocalMarks } from './local-marks.ts'

/** A product whose sale is not open, as this instance last learned it from inventory. */
export type ClosedSale =
  | { reason: 'sale_not_started'; retryAfterSeconds: number }
  | { reason: 'sale_ended'; retryAfterSeconds?: undefined }

interface Window {
  /** Local monotonic time (performance.now) at which the sale opens; null: it has ended. */
  opensAt: number | null
}

/** Seconds to wait for an opening `ms` away: at least 1, at most SALE_RETRY_AFTER_MAX_SECONDS. */
export const retryAfterFor = (ms: number) =>
  Math.min(SALE_RETRY_AFTER_MAX_SECONDS, Math.max(1, Math.ceil(ms / 1000)))

/**
 * Products whose sale is not open, refused here without the inventory round trip (before a flash sale
 * opens, buyers press "buy" over and over), the way SoldOutMarks refuses a sold-out product.
 *
 * The window is learned from inventory's refusals, which carry it with the instant of the check on
 * Redis's clock (TIME, the clock the reserve script opens the sale by). The opening is kept as a
 * countdown on this process's monotonic clock, started when the reserve was *sent*: the check happened
 * after that, so the local countdown ends at or before the real opening — never after. This host's
 * wall clock is never read, so a wrong one cannot keep a sale closed here; at the opening the mark
 * lets everything through to inventory, which decides on Redis's clock for every instance at once.
 *
 * Kept fresh like the sold-out marks (LocalMarks): an inventory event for the product (its window
 * changed) drops the mark, a (re)subscription drops them all, and a mark is trusted `ttlMs` at most;
 * then one request asks inventory again while the others are still refused.
 */
export class SaleWindowMarks {
  readonly #marks: LocalMarks<Window>

  constructor(ttlMs: number) {
    this.#marks = new LocalMarks(ttlMs)
  }

  /** A refusal to answer locally, or undefined: ask inventory. */
  closed(productId: number, now = performance.now()): ClosedSale | undefined {
    const mark = this.#marks.peek(productId)
    if (mark === undefined) return undefined
    if (mark.opensAt !== null && now >= mark.opensAt) {
      this.#marks.delete(productId)
      return undefined
    }
    if (!this.#marks.trusted(productId, mark, now)) return undefined
    return mark.opensAt === null
      ? { reason: 'sale_ended' }
      : { reason: 'sale_not_started', retryAfterSeconds: retryAfterFor(mark.opensAt - now) }
  }

  /** Taken before asking inventory (with the monotonic time of the question); passed back to `learn`. */
  ask(): { version: number; at: number } {
    return { version: this.#marks.version(), at: performance.now() }
  }

  /** Inventory refused a reserve asked at `asked` because the sale is not open. */
  learn(productId: number, refusal: SaleClosed, asked: { version: number; at: number }): void {
    let opensAt: number | null = null
    if (refusal.reason === 'sale_not_started' && refusal.sale_starts_at !== null) {
      opensAt = asked.at + (Date.parse(refusal.sale_starts_at) - Date.parse(refusal.checked_at))
    }
    this.#marks.set(productId, { opensAt }, asked.version)
  }

  /** Inventory answered anything else for the product (or did not answer): stop refusing locally. */
  forget(productId: number): void {
    this.#marks.delete(productId)
  }

  /** The product's window changed (an inventory event): drop the mark and any answer already on the way. */
  clear(productId: number): void {
    this.#marks.clear(productId)
  }

  setLive(live: boolean): void {
    this.#marks.setLive(live)
  }
}
