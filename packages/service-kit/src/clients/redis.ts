import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'

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

/** One ioredis connection per instance, closed with the app. */
export const redisPlugin = fp<RedisPluginOptions>(
  async (app: FastifyInstance, options) => {
    const redis = createRedis(options)
    await redis.connect()
    app.decorate('redis', redis)
    app.addHook('onClose', async () => {
      await redis.quit().catch(() => redis.disconnect())
    })
  },
  { name: 'flash-redis' },
)
