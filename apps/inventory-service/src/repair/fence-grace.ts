import type { Cluster, Redis } from 'ioredis'

/**
 * When a sweeper last saw MySQL in trouble — a status query that failed, or stayed unanswered longer
 * than SLOW_ANSWER_MS — shared by every inventory instance through one Redis key, on the sweep's clock.
 * Orphans (expired reservations without an order row) are fenced only once MySQL has answered well
 * for `graceMs` since.
 *
 * Why: a reservation's TTL can run out while MySQL is stalled, and the intake that holds it may have
 * answered 202 with its INSERT unconfirmed; order-service's resolver writes that row as soon as MySQL
 * answers again (apps/order-service/src/intake/unresolved-writes.ts). A fence on a sweeper's first
 * answer after the stall races that write and fails an order its buyer was told was accepted (the
 * fault matrix's `mysql-stall` row did, in CI). While MySQL is healthy no intake is left unconfirmed,
 * so a crashed intake's orphan is fenced at its TTL, as before.
 *
 * Shared, and marked while the query is still outstanding: the sweeper lock can pass to another
 * instance while the holder's query hangs, and when MySQL comes back both answers arrive together —
 * the other instance's quick answer must already find the mark. The clock is the sweep's (Redis time
 * at the start of a pass, advanced by the pass's own elapsed time), so a stalled query counts from
 * when it was answered. If Redis cannot keep the mark this instance still remembers its own.
 */
export class FenceGrace {
  /** A status query unanswered this long is a stall (healthy ones take milliseconds). */
  static readonly SLOW_ANSWER_MS = 1_000
  static readonly KEY = 'inv:sweeper:mysql-trouble-at'
  readonly graceMs: number
  readonly #redis: Redis | Cluster
  #localMarkMs = Number.NEGATIVE_INFINITY

  constructor(graceMs: number, redis: Redis | Cluster) {
    this.graceMs = graceMs
    this.#redis = redis
  }

  /** `query`'s outcome; marks trouble while it is unanswered past SLOW_ANSWER_MS, and if it fails. */
  async watch<T>(query: Promise<T>, clock: () => number): Promise<T> {
    const sentAtMs = clock()
    const timer = setTimeout(() => void this.#mark(clock()), FenceGrace.SLOW_ANSWER_MS)
    try {
      const answer = await query
      const answeredAtMs = clock()
      if (answeredAtMs - sentAtMs > FenceGrace.SLOW_ANSWER_MS) await this.#mark(answeredAtMs)
      return answer
    } catch (error) {
      await this.#mark(clock())
      throw error
    } finally {
      clearTimeout(timer)
    }
  }

  /** May an orphan seen in an answer given at `answeredAtMs` be fenced now? */
  async mayFence(answeredAtMs: number): Promise<boolean> {
    if (this.graceMs <= 0) return true
    const shared = await this.#redis.get(FenceGrace.KEY).then(Number, () => Number.NEGATIVE_INFINITY)
    const markMs = Math.max(this.#localMarkMs, Number.isFinite(shared) ? shared : Number.NEGATIVE_INFINITY)
    return answeredAtMs - markMs >= this.graceMs
  }

  async #mark(atMs: number): Promise<void> {
    this.#localMarkMs = Math.max(this.#localMarkMs, atMs)
    // Only ever moves forward; it outlives its use by far, then goes.
    await this.#redis
      .eval(RAISE, 1, FenceGrace.KEY, Math.round(atMs), Math.max(60_000, 10 * this.graceMs))
      .catch(() => {})
  }
}

const RAISE = `local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 0`
