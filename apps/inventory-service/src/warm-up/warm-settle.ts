import type { Database } from '@flash/db'
import type { Cluster, Redis } from 'ioredis'
import type { Kysely } from 'kysely'
import { hasOrdersWithin } from '../repositories/orders.ts'
import { type StockStore, WARMED_KEY } from '../stock/index.ts'

/** Raised while a product whose state was lost must not be rebuilt yet; answered with 503 + Retry-After. */
export class WarmSettling extends Error {
  readonly retryAfterSeconds: number
  constructor(remainingMs: number) {
    super(`stock state is being rebuilt; retry in ${remainingMs} ms`)
    this.name = 'WarmSettling'
    this.retryAfterSeconds = Math.max(1, Math.ceil(remainingMs / 1000))
  }
}

// At boot, a product with an order younger than this may have intakes in flight.
const RECENT_ACTIVITY_SECONDS = 60

/**
 * After a product's state is lost, intakes that reserved in the lost state are still on their way to
 * MySQL (between their reserve and their pending-row INSERT). A warm-up that read MySQL at once would
 * miss their rows and offer their units again. So a rebuild waits until `settleMs` after the loss was
 * first seen — longer than an intake normally takes to write its row (ORDER_WRITE_TIMEOUT_MS) — then
 * reads MySQL. The wait is a filter: an INSERT stalled even longer lands after the rebuild, and MySQL's
 * guards (stock and the per-user limit, checked by the finalizer under the product row lock) refuse
 * what the rebuilt state then lets through.
 *
 * Loss is seen per product, on the Redis server's clock (`TIME`, so instances never compare their own):
 * - the product's window (`inv:{p:N}:settle`, in its hash tag) is started by the first warm-up that finds
 *   a product this Redis held state for (`inv:warmed`) cold — one product's keys deleted, its shard
 *   failed over to an empty replica — or by the rollback watch (rollback-watch.ts); the rebuild deletes it;
 * - the global marker (`inv:state-since`) covers a Redis that lost everything, `inv:warmed` included:
 *   every product waits until `settleMs` after it was re-set.
 * A healthy product never gets here (only cold ones are warmed), and `settleMs` 0 turns the wait off.
 */
export class WarmSettle {
  readonly #stock: StockStore
  readonly #settleMs: number

  constructor(stock: StockStore, settleMs: number) {
    this.#stock = stock
    this.#settleMs = settleMs
  }

  get settleMs(): number {
    return this.#settleMs
  }

  /** Throws WarmSettling while the product's rebuild must still wait. */
  async check(productId: number): Promise<void> {
    if (this.#settleMs <= 0) return
    const own = await this.#stock.settleWindow(productId, this.#settleMs, false)
    if (own.status === 'warm') return
    if (own.status === 'wait') {
      if (own.remainingMs > 0) throw new WarmSettling(own.remainingMs)
      return
    }
    const redis: Redis | Cluster = this.#stock.redis
    // Separate commands (different slots), sent together.
    const [{ sinceMs, nowMs }, listed] = await Promise.all([
      this.#stock.stateSince('now'),
      redis.sismember(WARMED_KEY, String(productId)),
    ])
    const global = sinceMs + this.#settleMs - nowMs
    if (global > 0) throw new WarmSettling(global)
    // Never held here since the last total loss (whose window is over): nothing can be in flight.
    if (listed !== 1) return
    const started = await this.#stock.settleWindow(productId, this.#settleMs, true)
    if (started.status === 'wait' && started.remainingMs > 0) throw new WarmSettling(started.remainingMs)
  }

  /**
   * At boot, a Redis without the global marker is new or lost its data while no instance watched. If
   * MySQL shows no order in the last minute (on MySQL's clock), no intake can be in flight: nothing to
   * wait for (a new stack, a test). Otherwise the window starts now.
   */
  async initialise(db: Kysely<Database>): Promise<void> {
    await this.#stock.seedStateSince(() => hasOrdersWithin(db, RECENT_ACTIVITY_SECONDS))
  }
}
