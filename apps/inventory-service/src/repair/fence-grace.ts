/**
 * When the sweeper last saw MySQL in trouble (a status query that failed or took longer than
 * SLOW_ANSWER_MS), on the sweep's clock: orphans — expired reservations without an order row — are
 * fenced only once MySQL has answered well for `graceMs` since.
 *
 * Why: a reservation's TTL can run out while MySQL is stalled, and the intake that holds it may have
 * answered 202 with its INSERT unconfirmed; order-service's resolver writes that row as soon as MySQL
 * answers again (apps/order-service/src/intake/unresolved-writes.ts). A fence on the sweeper's first
 * answer after the stall races that write and fails an order its buyer was told was accepted (the
 * fault matrix's `mysql-stall` row did, in CI). While MySQL is healthy no intake is left unconfirmed,
 * so an orphan — a crashed intake's — is fenced at its TTL, as before.
 *
 * The clock is the sweep's: Redis time at the start of a pass, advanced by the pass's own elapsed time,
 * so a stalled query counts from when it was answered. In memory and per instance: a restart forgets
 * trouble it saw, which is no worse than not having seen it.
 */
export class FenceGrace {
  /** A status query slower than this is a stall (healthy ones take milliseconds). */
  static readonly SLOW_ANSWER_MS = 1_000
  readonly graceMs: number
  #troubleAtMs = Number.NEGATIVE_INFINITY

  constructor(graceMs: number) {
    this.graceMs = graceMs
  }

  /** A status query sent at `sentAtMs` was answered at `answeredAtMs`. */
  answered(sentAtMs: number, answeredAtMs: number): void {
    if (answeredAtMs - sentAtMs > FenceGrace.SLOW_ANSWER_MS) this.#troubleAtMs = answeredAtMs
  }

  /** A status query failed at `atMs` (refused, lost, timed out). */
  failed(atMs: number): void {
    this.#troubleAtMs = Math.max(this.#troubleAtMs, atMs)
  }

  /** May an orphan seen in an answer given at `answeredAtMs` be fenced now? */
  mayFence(answeredAtMs: number): boolean {
    return answeredAtMs - this.#troubleAtMs >= this.graceMs
  }
}
