/**
 * When MySQL first answered that an expired reservation has no order row, per reservation id.
 *
 * The sweeper fences such an orphan only once MySQL has said so for `graceMs`: a reservation's TTL
 * can run out while MySQL is stalled, and the intake that holds it may have answered 202 with its
 * INSERT still unconfirmed — order-service's resolver writes that row as soon as MySQL answers again
 * (apps/order-service/src/intake/unresolved-writes.ts). Fencing on the first answer after a stall races that
 * write and can fail an order its buyer was told was accepted; the grace is the resolver's window.
 * The clock is the sweep's (Redis time, advanced by the pass's own elapsed time), so a stalled query
 * counts from when it was answered, not from when it was sent.
 *
 * In memory and per instance: another instance or a restart only starts the wait over, which delays a
 * release by at most one grace and never fences early.
 */
export class OrphanSightings {
  readonly #firstSeen = new Map<string, number>()
  readonly graceMs: number
  readonly #maxTracked: number

  constructor(graceMs: number, maxTracked = 100_000) {
    this.graceMs = graceMs
    this.#maxTracked = maxTracked
  }

  get size(): number {
    return this.#firstSeen.size
  }

  /** Records a "no row" answer given at `atMs`; true once the first such answer is `graceMs` old. */
  due(reservationId: string, atMs: number): boolean {
    if (this.graceMs <= 0) return true
    const first = this.#firstSeen.get(reservationId)
    if (first !== undefined) return atMs - first >= this.graceMs
    // Full: the oldest sighting goes (Map keeps insertion order); its orphan just waits again.
    if (this.#firstSeen.size >= this.#maxTracked) {
      const oldest = this.#firstSeen.keys().next()
      if (!oldest.done) this.#firstSeen.delete(oldest.value)
    }
    this.#firstSeen.set(reservationId, atMs)
    return false
  }

  /** The reservation's order row exists (or its fence does): nothing to wait for any more. */
  forget(reservationId: string): void {
    this.#firstSeen.delete(reservationId)
  }

  /**
   * Drops sightings first made before `beforeMs`: their reservations were settled by someone else
   * (an intake's release, the finalizer) and are no longer swept. One still orphaned is seen again.
   */
  prune(beforeMs: number): void {
    for (const [id, first] of this.#firstSeen) if (first < beforeMs) this.#firstSeen.delete(id)
  }
}
