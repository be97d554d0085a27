import type { Database } from '@flash/db'
import type { Cluster, Redis } from 'ioredis'
import type { Kysely } from 'kysely'

/**
 * Since when this Redis holds the stock state it is working from (ms). Absent = the data is gone: a
 * flush, a failover to an empty replica, a new cluster.
 */
export const STATE_SINCE_KEY = 'inv:state-since'

/** Raised while a Redis that lost its data must not be rebuilt yet; answered with 503 + Retry-After. */
export class WarmSettling extends Error {
  readonly retryAfterSeconds: number
  constructor(remainingMs: number) {
    super(`stock state is being rebuilt; retry in ${remainingMs} ms`)
    this.name = 'WarmSettling'
    this.retryAfterSeconds = Math.max(1, Math.ceil(remainingMs / 1000))
  }
}

/**
 * After Redis loses its data, intakes that reserved in the lost state are still on their way to MySQL
 * (between their reserve and their pending-row INSERT). A warm-up that read MySQL now would miss their
 * rows and offer their units again. So a rebuild waits until `settleMs` after the loss was first seen —
 * longer than any intake takes to write its row (ORDER_WRITE_TIMEOUT_MS) — and then reads MySQL, where
 * every such row is, or never will be (fenced by the sweeper). Only the first warm-ups after a loss
 * wait; a healthy Redis answers from one GET (and the guard is a no-op with `settleMs` 0).
 */
export class WarmSettle {
  readonly #redis: Redis | Cluster
  readonly #settleMs: number

  constructor(redis: Redis | Cluster, settleMs: number) {
    this.#redis = redis
    this.#settleMs = settleMs
  }

  /** Throws WarmSettling while a rebuild must still wait. */
  async check(nowMs = Date.now()): Promise<void> {
    if (this.#settleMs <= 0) return
    // Read every time: only cold products get here, and the key may have gone since the last warm-up.
    const raw = await this.#redis.get(STATE_SINCE_KEY)
    let since = raw === null ? undefined : Number(raw)
    if (since === undefined) {
      await this.#redis.set(STATE_SINCE_KEY, String(nowMs), 'NX')
      since = Number((await this.#redis.get(STATE_SINCE_KEY)) ?? nowMs)
    }
    const remaining = since + this.#settleMs - nowMs
    if (remaining > 0) throw new WarmSettling(remaining)
  }

  /**
   * At boot, a Redis without the marker is new or lost its data while no instance watched. If MySQL
   * shows no order in the last minute, no intake can be in flight: nothing to wait for (a new stack,
   * a test). Otherwise the window starts now.
   */
  async initialise(db: Kysely<Database>, nowMs = Date.now()): Promise<void> {
    if ((await this.#redis.exists(STATE_SINCE_KEY)) === 1) return
    const newest = await db
      .selectFrom('orders')
      .select('created_at')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst()
    const recent = newest !== undefined && newest.created_at.getTime() > nowMs - 60_000
    await this.#redis.set(STATE_SINCE_KEY, String(recent ? nowMs : 0), 'NX')
  }
}
