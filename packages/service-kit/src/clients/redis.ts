import type { FastifyInstance } from 'fastify'
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
}

export function createRedis({ url, keyPrefix }: RedisPluginOptions): Redis {
  return new Redis(url, {
    keyPrefix,
    // Fail a command fast while Redis is down (→ 503) instead of queueing it for ever.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 2_000,
    lazyConnect: true,
    // Every command issued in one event-loop turn goes out in one socket write: under load a turn
    // serves hundreds of requests, and a write per command was the largest cost in inventory-service
    // (cpu-prof: ~30 % of its busy time in socket writes, docs/benchmarks.md). Replies and errors
    // stay per command; the cost is at most one turn of latency.
    enableAutoPipelining: true,
  })
}

/** One ioredis connection per instance, closed with the app; `/ready` asks it as `redis`. */
export const redisPlugin = fp<RedisPluginOptions>(
  async (app: FastifyInstance, options) => {
    const redis = createRedis(options)
    await redis.connect()
    app.decorate('redis', redis)
    readinessOf(app).add('redis', () => redis.ping())
    app.addHook('onClose', async () => {
      await redis.quit().catch(() => redis.disconnect())
    })
  },
  { name: 'flash-redis' },
)
