import { SALE_RETRY_AFTER_MAX_SECONDS, type SaleClosed } from '@flash/contracts'

/** A product whose sale is not open, as this instance last learned it from inventory. */
export type ClosedSale =
  | { reason: 'sale_not_started'; retryAfterSeconds: number }
  | { reason: 'sale_ended'; retryAfterSeconds?: undefined }

interface Mark {
  /** Local monotonic time (performance.now) at which the sale opens; null: it has ended. */
  opensAt: number | null
  /** Until when the mark is trusted without asking inventory again (monotonic ms). */
  until: number
  probing: boolean
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
 * Kept fresh like the sold-out marks: an inventory event for the product (its window changed) drops
 * the mark, a (re)subscription drops them all, and a mark is trusted `ttlMs` at most; then one request
 * asks inventory again while the others are still refused.
 */
export class SaleWindowMarks {
  readonly #ttlMs: number
  readonly #marks = new Map<number, Mark>()
  readonly #clearedAt = new Map<number, number>()
  #version = 0
  #liveSince = 0
  #live = false

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs
  }

  /** A refusal to answer locally, or undefined: ask inventory. */
  closed(productId: number, now = performance.now()): ClosedSale | undefined {
    const mark = this.#marks.get(productId)
    if (mark === undefined) return undefined
    if (mark.opensAt !== null && now >= mark.opensAt) {
      this.#marks.delete(productId)
      return undefined
    }
    if (mark.until <= now) {
      if (mark.probing) {
        // The probe never reported back: stop trusting.
        this.#marks.delete(productId)
        return undefined
      }
      mark.probing = true
      mark.until = now + this.#ttlMs
      return undefined
    }
    return mark.opensAt === null
      ? { reason: 'sale_ended' }
      : { reason: 'sale_not_started', retryAfterSeconds: retryAfterFor(mark.opensAt - now) }
  }

  /** Taken before asking inventory (with the monotonic time of the question); passed back to `learn`. */
  ask(): { version: number; at: number } {
    return { version: this.#version, at: performance.now() }
  }

  /** Inventory refused a reserve asked at `asked` because the sale is not open. */
  learn(productId: number, refusal: SaleClosed, asked: { version: number; at: number }): void {
    if (!this.#live || this.#ttlMs <= 0) return
    // The window changed (or a reconnect may have hidden a change) after the question: stale answer.
    if (asked.version < this.#liveSince || asked.version < (this.#clearedAt.get(productId) ?? 0)) return
    let opensAt: number | null = null
    if (refusal.reason === 'sale_not_started' && refusal.sale_starts_at !== null) {
      opensAt = asked.at + (Date.parse(refusal.sale_starts_at) - Date.parse(refusal.checked_at))
    }
    this.#marks.set(productId, { opensAt, until: performance.now() + this.#ttlMs, probing: false })
  }

  /** Inventory answered anything else for the product (or did not answer): stop refusing locally. */
  forget(productId: number): void {
    if (this.#marks.size > 0) this.#marks.delete(productId)
  }

  /** The product's window changed (an inventory event): drop the mark and any answer already on the way. */
  clear(productId: number): void {
    this.#marks.delete(productId)
    this.#clearedAt.set(productId, ++this.#version)
  }

  /** Subscription state: on (re)subscribe everything learned before is forgotten. */
  setLive(live: boolean): void {
    this.#live = live
    this.#marks.clear()
    this.#liveSince = ++this.#version
    this.#clearedAt.clear()
  }
}
