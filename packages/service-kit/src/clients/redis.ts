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
