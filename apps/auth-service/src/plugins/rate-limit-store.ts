import type { Redis, Result } from 'ioredis'
import { withTimeout } from '@flash/service-kit'

/**
 * A rate-limit store for @fastify/rate-limit that counts in Redis (shared by every instance) and
 * keeps counting per instance when Redis fails, instead of failing open: a login storm or a
 * password-guessing run during a Redis outage is still limited, at worst to `max` per instance.
 *
 * Every hit is also counted locally, so when Redis stops answering the local window already holds
 * what this instance saw. A Redis call that takes longer than `timeoutMs` (a stall) counts as a
 * failure: a credential request must never wait on the limiter.
 */
interface Hit {
  current: number
  ttl: number
}

type Callback = (error: Error | null, result?: Hit) => void

const INCR = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {current, redis.call('PTTL', KEYS[1])}`

declare module 'ioredis' {
  interface RedisCommander<Context> {
    authRateIncr(key: string, windowMs: number): Result<[number, number], Context>
  }
}

/** Fixed windows per key in memory, bounded: the oldest window goes first when full. */
export class LocalWindows {
  readonly #windows = new Map<string, { count: number; resetAt: number }>()
  readonly #maxKeys: number

  constructor(maxKeys = 50_000) {
    this.#maxKeys = maxKeys
  }

  incr(key: string, windowMs: number, now = Date.now()): Hit {
    let window = this.#windows.get(key)
    if (!window || window.resetAt <= now) {
      this.#windows.delete(key)
      if (this.#windows.size >= this.#maxKeys) {
        const oldest = this.#windows.keys().next().value
        if (oldest !== undefined) this.#windows.delete(oldest)
      }
      window = { count: 0, resetAt: now + windowMs }
      this.#windows.set(key, window)
    }
    window.count += 1
    return { current: window.count, ttl: window.resetAt - now }
  }
}

export interface FallbackStoreOptions {
  redis: Redis
  timeoutMs: number
  onFallback: (error: Error) => void
}

export class FallbackRateLimitStore {
  readonly #options: FallbackStoreOptions
  readonly #prefix: string
  readonly #local: LocalWindows

  constructor(options: FallbackStoreOptions, prefix = 'auth:rate:', local = new LocalWindows()) {
    this.#options = options
    this.#prefix = prefix
    this.#local = local
    if (!options.redis.authRateIncr)
      options.redis.defineCommand('authRateIncr', { numberOfKeys: 1, lua: INCR })
  }

  incr(key: string, callback: Callback, timeWindow: number): void {
    const fullKey = this.#prefix + key
    const local = this.#local.incr(fullKey, timeWindow)
    const { timeoutMs } = this.#options
    withTimeout(
      this.#options.redis.authRateIncr(fullKey, timeWindow),
      timeoutMs,
      `rate limit store timed out after ${timeoutMs} ms`,
    ).then(
      ([current, ttl]) => {
        // Redis is the shared count; the local one can only be higher if Redis lost its data.
        callback(null, { current: Math.max(current, local.current), ttl: ttl > 0 ? ttl : local.ttl })
      },
      (error: Error) => {
        this.#options.onFallback(error)
        callback(null, local)
      },
    )
  }

  /** One store per route (the library's contract), sharing the local windows. */
  child(routeOptions: object): FallbackRateLimitStore {
    // The library passes the route's merged options with `routeInfo` (its own RedisStore reads it too).
    const { method, url } = (routeOptions as { routeInfo: { method: string; url: string } }).routeInfo
    return new FallbackRateLimitStore(this.#options, `${this.#prefix}${method}${url}:`, this.#local)
  }
}
