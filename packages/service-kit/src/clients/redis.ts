import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'
import { readinessOf } from '../readiness.ts'

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis
  }
}

export interface RedisPluginOptions {
  url: string
  keyPrefix: string
  /**
   * Longest wait for any one command's reply, including time spent queued while disconnected; past it
   * the command fails ("Command timed out") and the request answers 503 + Retry-After. Set it on a
   * client that serves requests (REDIS_COMMAND_TIMEOUT_MS): without it a stalled or restarting Redis
   * holds every request until it answers again. Unset: no limit (background work only).
   */
  commandTimeoutMs?: number
}

/** Connection errors are logged at most once per this many ms and process; the rest are counted. */
const ERROR_LOG_INTERVAL_MS = 10_000

export function createRedis({ url, keyPrefix, commandTimeoutMs }: RedisPluginOptions): Redis {
  return new Redis(url, {
    keyPrefix,
    // Fail a command fast while Redis is down (→ 503) instead of queueing it for ever.
    maxRetriesPerRequest: 1,
    // Commands issued during a short reconnect are held and sent once it succeeds; `commandTimeout`
    // (which also runs while a command is held) bounds how long that may take.
    enableOfflineQueue: true,
    ...(commandTimeoutMs === undefined ? {} : { commandTimeout: commandTimeoutMs }),
    connectTimeout: 2_000,
    lazyConnect: true,
    // Every command issued in one event-loop turn goes out in one socket write: under load a turn
    // serves hundreds of requests, and a write per command was the largest cost in inventory-service
    // (cpu-prof: ~30 % of its busy time in socket writes, docs/benchmarks.md). Replies and errors
    // stay per command; the cost is at most one turn of latency.
    enableAutoPipelining: true,
  })
}

/**
 * Logs a client's connection errors as JSON, one line per `intervalMs` with the number left unlogged:
 * without a listener ioredis prints every failed reconnection to stderr, and with an unsampled one a
 * Redis outage writes a line per attempt (and per connection) while requests already answer 503.
 */
export function logRedisErrors(
  redis: Redis,
  log: FastifyBaseLogger,
  context = 'redis',
  intervalMs = ERROR_LOG_INTERVAL_MS,
): void {
  const warn = redisErrorLogger(log, context, { intervalMs })
  redis.on('error', (error: Error) => warn(error))
}

/**
 * The sampled logger of `logRedisErrors`, for errors reported by callback (a Subscription's onError,
 * a RevocationList's background failures): one line per `intervalMs`, with the count left unlogged.
 */
export function redisErrorLogger(
  log: FastifyBaseLogger,
  context = 'redis',
  { intervalMs = ERROR_LOG_INTERVAL_MS, message = 'redis connection error' } = {},
): (error: Error, detail?: string) => void {
  let lastLoggedAt = Number.NEGATIVE_INFINITY
  let suppressed = 0
  return (error, detail) => {
    const now = performance.now()
    if (now - lastLoggedAt < intervalMs) {
      suppressed += 1
      return
    }
    lastLoggedAt = now
    log.warn({ err: error, context: detail ? `${context}: ${detail}` : context, suppressed }, message)
    suppressed = 0
  }
}

/** One ioredis connection per instance, closed with the app; `/ready` asks it as `redis`. */
export const redisPlugin = fp<RedisPluginOptions>(
  async (app: FastifyInstance, options) => {
    const redis = createRedis(options)
    logRedisErrors(redis, app.log)
    await redis.connect()
    app.decorate('redis', redis)
    readinessOf(app).add('redis', () => redis.ping())
    app.addHook('onClose', async () => {
      await redis.quit().catch(() => redis.disconnect())
    })
  },
  { name: 'flash-redis' },
)
