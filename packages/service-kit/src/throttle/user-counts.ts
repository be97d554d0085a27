import type { Redis, Result } from 'ioredis'
import { withTimeout } from '../with-timeout.ts'

/**
 * Per-user request counts in fixed windows, kept in memory and merged with Redis in batches: the
 * request path never waits on Redis. Every `syncMs` one pipeline adds each user's new hits to the
 * shared count (INCRBY, one key per user and window) and reads back the total all instances have
 * added; between syncs an instance sees the others' hits as of the last sync plus its own since.
 * Whatever Redis does (down, slow, data lost), this instance's own count still decides: the limit
 * never fails open, at worst it is per instance.
 */
const INCR = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if total == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return total`

declare module 'ioredis' {
  interface RedisCommander<Context> {
    userRateIncr(key: string, delta: number, ttlMs: number): Result<number, Context>
  }
}

interface Count {
  window: number
  /** Hits this instance saw in the window (all of them, synced or not). */
  local: number
  /** The shared total as Redis last reported it (or as we assume it after a failed sync). */
  shared: number
  /** Hits not yet sent to Redis. */
  pending: number
  /** Hits sent in the sync now in flight. */
  inflight: number
}

export interface UserCountsOptions {
  redis: Redis
  /** Key namespace (the service), under the client's keyPrefix. */
  scope: string
  windowMs: number
  timeoutMs: number
  onSyncError: (error: Error) => void
}

export class UserCounts {
  readonly #o: UserCountsOptions
  readonly #counts = new Map<number, Count>()
  #syncing = false

  constructor(options: UserCountsOptions) {
    this.#o = options
    if (!options.redis.userRateIncr)
      options.redis.defineCommand('userRateIncr', { numberOfKeys: 1, lua: INCR })
  }

  /** Counts one hit for `userId` at `now`; returns the hits in its window so far (all instances, best known). */
  hit(userId: number, now: number): { used: number; resetMs: number } {
    const window = Math.floor(now / this.#o.windowMs)
    let count = this.#counts.get(userId)
    if (count === undefined || count.window !== window) {
      count = { window, local: 0, shared: 0, pending: 0, inflight: 0 }
      this.#counts.set(userId, count)
    }
    count.local++
    count.pending++
    const used = Math.max(count.shared + count.inflight + count.pending, count.local)
    return { used, resetMs: (window + 1) * this.#o.windowMs - now }
  }

  /** Sends every pending hit in one pipeline and takes back the shared totals. */
  async sync(now = Date.now()): Promise<void> {
    if (this.#syncing) return
    const window = Math.floor(now / this.#o.windowMs)
    const batch: [number, Count, number][] = []
    for (const [userId, count] of this.#counts) {
      if (count.window < window) {
        // A past window: its hits no longer matter anywhere.
        if (count.inflight === 0) this.#counts.delete(userId)
        continue
      }
      if (count.pending === 0) continue
      batch.push([userId, count, count.pending])
      count.inflight += count.pending
      count.pending = 0
    }
    if (!batch.length) return
    this.#syncing = true
    const ttlMs = this.#o.windowMs * 2
    try {
      const pipeline = this.#o.redis.pipeline()
      for (const [userId, count, delta] of batch) {
        pipeline.userRateIncr(`user-rate:${this.#o.scope}:{u:${userId}}:${count.window}`, delta, ttlMs)
      }
      const results = await withTimeout(
        pipeline.exec(),
        this.#o.timeoutMs,
        `Redis slower than ${this.#o.timeoutMs} ms`,
      )
      batch.forEach(([, count, delta], i) => {
        const [error, total] = results?.[i] ?? [new Error('no reply')]
        count.inflight -= delta
        // A failed add may still have landed: count it as landed, never as lost.
        count.shared = error ? count.shared + delta : Math.max(count.shared + delta, Number(total))
      })
    } catch (error) {
      for (const [, count, delta] of batch) {
        count.inflight -= delta
        count.shared += delta
      }
      this.#o.onSyncError(error as Error)
    } finally {
      this.#syncing = false
    }
  }
}
