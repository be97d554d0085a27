import { TEST_REDIS_URL } from '@flash/test-kit'
import { Redis } from 'ioredis'
import type { FaultContext, Scenario } from '../lib/scenario.ts'
import { sleep } from '../lib/scenario.ts'

// Faults where Redis is wrong about one product — its keys gone or rolled back — and the MySQL guards
// (stock, the per-user limit) plus the per-product settle window and rebuild must keep the contract.
// Straight to Redis, not through the proxy; only this stack's keys of the sale's product.

/** The settle window the stack runs with (inventory-service's WARM_SETTLE_MS default). */
const SETTLE_MS = 3_000

async function withRedis<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true })
  try {
    return await work(redis)
  } finally {
    redis.disconnect()
  }
}

/** Every key of the product's hash tag (whatever the engine keeps there), found by SCAN. */
async function productKeyNames(redis: Redis, ctx: FaultContext): Promise<string[]> {
  const keys: string[] = []
  let cursor = '0'
  for (let i = 0; i < 10_000; i++) {
    const [next, batch] = await redis.scan(
      cursor,
      'MATCH',
      `${ctx.fs.prefix}inv:{p:${ctx.productId}}:*`,
      'COUNT',
      1000,
    )
    keys.push(...batch)
    cursor = next
    if (cursor === '0') break
  }
  return keys
}

async function dropProduct(redis: Redis, ctx: FaultContext): Promise<number> {
  const keys = await productKeyNames(redis, ctx)
  return keys.length ? redis.del(...keys) : 0
}

export const redisPartialScenarios: Scenario[] = [
  {
    id: 'redis-product-loss',
    fault: "One product's Redis keys lost ×2 (one shard)",
    async inject(ctx) {
      await withRedis(async (redis) => {
        for (let round = 0; round < 2; round++) {
          await ctx.progress.acceptedAtLeast(30 + round * 60, 8_000)
          const deleted = await dropProduct(redis, ctx)
          ctx.note(
            `deleted the product's ${deleted} keys at ${ctx.elapsed()} (${ctx.progress.accepted} accepted)`,
          )
          await sleep(SETTLE_MS + 500 + ctx.random() * 1_000)
        }
      })
    },
  },
  {
    id: 'redis-rollback',
    fault: 'Failover to a replica that missed writes (DUMP → RESTORE)',
    async inject(ctx) {
      await withRedis(async (redis) => {
        const keys = await productKeyNames(redis, ctx)
        const dumps = await Promise.all(keys.map((key) => redis.dumpBuffer(key)))
        const from = ctx.progress.accepted
        await ctx.progress.acceptedAtLeast(from + 25, 5_000)
        // The replica's view: the dumped keys as they were, and none of the keys written since.
        const now = await productKeyNames(redis, ctx)
        const newer = now.filter((key) => !keys.includes(key))
        if (newer.length) await redis.del(...newer)
        for (const [i, key] of keys.entries()) {
          const dump = dumps[i]
          if (dump) await redis.restore(key, 0, dump, 'REPLACE')
          else await redis.del(key)
        }
        ctx.note(
          `rolled the product's ${keys.length} keys back at ${ctx.elapsed()}, ${ctx.progress.accepted - from} acceptances after the dump`,
        )
      })
    },
  },
  {
    id: 'mysql-stall-settle',
    fault: `order-service's MySQL stalled ${(SETTLE_MS + 2_000) / 1000} s (> settle window) while the product's keys are lost`,
    // Rows written after the rebuild were not counted by it: Redis offers their units again and MySQL
    // refuses the orders beyond its stock (and beyond a buyer's limit). Nothing may be oversold.
    guardRefusalsExpected: true,
    // Every intake answers within ORDER_WRITE_TIMEOUT_MS, inside the buyers' 3 s (16 did not, before).
    requireAnswered: true,
    async inject(ctx) {
      // Intakes that reserved now hold their INSERT past the settle window; the rebuild reads MySQL
      // without their rows, so Redis may let their buyers and units through again — MySQL must not.
      ctx.fs.proxies.mysql.order.stall()
      await sleep(300)
      const deleted = await withRedis((redis) => dropProduct(redis, ctx))
      ctx.note(
        `order-service's MySQL stalled, then the product's ${deleted} keys deleted at ${ctx.elapsed()}`,
      )
      await sleep(SETTLE_MS + 1_700)
      ctx.fs.proxies.mysql.order.resume()
    },
  },
  {
    id: 'settle-races-warmup',
    fault: "Settles held, then landing as the product's rebuild runs ×2",
    async inject(ctx) {
      // The finalizers' settles are held while the product is lost, and released around the end of its
      // settle window, when the warm-up reads MySQL and writes the state: settles meet the cold state
      // (tombstones only) while a warm-up that read their orders as pending is on its way.
      for (let round = 0; round < 2; round++) {
        await ctx.progress.acceptedAtLeast(30 + round * 60, 8_000)
        ctx.fs.proxies.finalizerToInventory.stall()
        const deleted = await withRedis((redis) => dropProduct(redis, ctx))
        await sleep(SETTLE_MS - 300 + ctx.random() * 600)
        ctx.fs.proxies.finalizerToInventory.resume()
        ctx.note(`round ${round + 1}: ${deleted} keys deleted, settles released at ${ctx.elapsed()}`)
        await sleep(1_000)
      }
    },
  },
  {
    id: 'reconcile-stall-rebuild',
    fault: 'Reconciler passes stalled across a wipe + rebuild ×3',
    // A pass every 100 ms, so passes are in flight whenever the fault strikes.
    env: { RECONCILE_INTERVAL_MS: '100' },
    // Late in the sale: the reconciler only writes to a quiet product.
    startAfterMs: 3_000,
    async inject(ctx) {
      // Redis stalls with passes between their probe and their compare-and-set; the product is wiped
      // meanwhile; the held writes then meet the wiped state and, after the settle window, a rebuild.
      await withRedis(async (redis) => {
        for (let round = 0; round < 3; round++) {
          ctx.fs.proxies.redis.stall()
          await sleep(200 + ctx.random() * 300)
          const deleted = await dropProduct(redis, ctx)
          await sleep(200)
          ctx.fs.proxies.redis.resume()
          ctx.note(`round ${round + 1}: Redis stalled, ${deleted} keys wiped at ${ctx.elapsed()}`)
          await sleep(SETTLE_MS + 500)
        }
      })
    },
  },
]
