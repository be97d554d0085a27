/** What every mark carries besides its own facts: how long it is trusted, and whether a probe is out. */
interface Trust {
  /** Monotonic ms (performance.now) until which the mark is trusted without asking inventory. */
  until: number
  probing: boolean
}

/**
 * Per-product answers of inventory kept on this instance, so that repeats are refused without the
 * round trip (sold out: SoldOutMarks; sale not open: SaleWindowMarks). What keeps them from going
 * stale is the same for every kind, and lives here:
 * - A mark is trusted `ttlMs` at most. When it expires, one request goes to inventory as the probe
 *   while the others are still refused (at most another ttl), and the probe's answer renews or drops
 *   the mark. Without this, every expiry let a whole wave of in-flight requests through at once —
 *   measured as second-long p99s and 503s.
 * - An inventory event for the product (`clear`) drops its mark *and* any answer to a question asked
 *   before it (`version()` taken before the call): at a sale's opening, reserves sent just before the
 *   restock come back refused just after its event, and used to mark the product for a whole ttl
 *   while it had its new stock (hundreds of such refusals per opening in `npm run bench`).
 * - While the event subscription is down nothing is set or trusted, and a (re)subscribe forgets
 *   everything: a missed event can never keep a product refused for long.
 */
export class LocalMarks<M extends object> {
  readonly #ttlMs: number
  readonly #marks = new Map<number, M & Trust>()
  /** product → `#version` of its last clear; `#liveSince`: the version at the last (re)subscribe. */
  readonly #clearedAt = new Map<number, number>()
  #version = 0
  #liveSince = 0
  #live = false

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs
  }

  /** The product's mark, trusted or not (callers look at their own facts before `trusted`). */
  peek(productId: number): (M & Trust) | undefined {
    return this.#marks.get(productId)
  }

  /**
   * Whether `mark` (from `peek`) may answer this request. An expired mark makes this request the
   * probe (false) and keeps refusing the others; a probe that never reported back ends the trust.
   */
  trusted(productId: number, mark: M & Trust, now = performance.now()): boolean {
    if (mark.until > now) return true
    if (mark.probing) this.#marks.delete(productId)
    else {
      mark.probing = true
      mark.until = now + this.#ttlMs
    }
    return false
  }

  /** Taken before asking inventory; an answer passes it back to `set`. Grows with every clear. */
  version(): number {
    return this.#version
  }

  /** Keeps `facts` for the product for a ttl, unless the answer is stale (asked before a clear). */
  set(productId: number, facts: M, askedAt: number, now = performance.now()): void {
    if (!this.#live || this.#ttlMs <= 0) return
    if (askedAt < this.#liveSince || askedAt < (this.#clearedAt.get(productId) ?? 0)) return
    this.#marks.set(productId, { ...facts, until: now + this.#ttlMs, probing: false })
  }

  /** Inventory answered otherwise for the product (or did not answer): stop refusing locally. */
  delete(productId: number): void {
    this.#marks.delete(productId)
  }

  /** An inventory event for the product: drop the mark and any answer already on the way. */
  clear(productId: number): void {
    this.#marks.delete(productId)
    this.#clearedAt.set(productId, ++this.#version)
  }

  /** Subscription state: on (re)subscribe everything cached before is forgotten. */
  setLive(live: boolean): void {
    this.#live = live
    this.#marks.clear()
    this.#liveSince = ++this.#version
    // Every clear before this is older than #liveSince: forgetting them keeps the map small.
    this.#clearedAt.clear()
  }
}
