import { deleteKeysByPrefix, TEST_REDIS_URL } from '@flash/test-kit'
import { Redis } from 'ioredis'
import type { Scenario } from '../lib/scenario.ts'
import { sleep } from '../lib/scenario.ts'

export const redisScenarios: Scenario[] = [
  {
    id: 'redis-data-loss',
    fault: "Redis data loss (every key of the stack's prefix) ×2",
    async inject(ctx) {
      // Straight to Redis, not through the proxy; only this stack's prefix — never FLUSHALL, the
      // server is shared with other test files.
      const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true })
      try {
        for (let round = 0; round < 2; round++) {
          await ctx.progress.acceptedAtLeast(30 + round * 70, 5_000)
          const deleted = await deleteKeysByPrefix(redis, ctx.fs.prefix)
          ctx.note(`deleted ${deleted} keys at ${ctx.elapsed()} (${ctx.progress.accepted} accepted so far)`)
          await sleep(1_000 + ctx.random() * 1_000)
        }
      } finally {
        redis.disconnect()
      }
    },
  },
  {
    id: 'redis-down',
    fault: 'Redis down for 4 s',
    // Every Redis wait on the request path is bounded (REDIS_COMMAND_TIMEOUT_MS): buyers get 503 +
    // Retry-After while Redis is away, never silence.
    requireAnswered: true,
    async inject(ctx) {
      ctx.note(`Redis cut at ${ctx.elapsed()} (${ctx.progress.accepted} accepted so far)`)
      ctx.fs.proxies.redis.cut()
      await sleep(4_000)
      ctx.fs.proxies.redis.resume()
    },
  },
]
