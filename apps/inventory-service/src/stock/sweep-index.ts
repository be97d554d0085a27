import type { Cluster, Redis } from 'ioredis'
import { type ProductId, productKeys, SWEEP_KEY } from './keys.ts'

/*
 * The sweep index (`inv:sweep`: productId → earliest expiry) lives in its own cluster slot, so the
 * product scripts cannot update it atomically; these helpers maintain it from TypeScript with
 * separate commands (a pipeline mixing slots is refused by Redis Cluster). The invariant it keeps:
 * for every product with live reservations, its score is ≤ its earliest expiry. A score that is too
 * early only costs the sweeper a useless visit; a missing or late one would leak stock, so every
 * update is ordered to err early.
 */

/** Marks a product due no later than `atMs` (ZADD LT: never moves an earlier mark later). */
export async function markDue(redis: Redis | Cluster, productId: ProductId, atMs: number): Promise<void> {
  await redis.zadd(SWEEP_KEY, 'LT', atMs, String(productId))
}

/** Products with a reservation that may have expired at `nowMs`, most overdue first. */
export async function dueProducts(redis: Redis | Cluster, nowMs: number, limit: number): Promise<string[]> {
  return redis.zrangebyscore(SWEEP_KEY, '-inf', nowMs, 'LIMIT', 0, limit)
}

/**
 * Recomputes a product's mark from its expiry zset, after the sweeper handled it. Write, then read
 * again: a reserve that added an earlier expiry between our read and our write has already written
 * its exp entry (its script runs before its markDue), so the second read sees it and restores it.
 */
export async function refreshDue(redis: Redis | Cluster, productId: ProductId): Promise<number | null> {
  const { exp } = productKeys(productId)
  const member = String(productId)
  const first = await earliest(redis, exp)
  if (first === null) await redis.zrem(SWEEP_KEY, member)
  else await redis.zadd(SWEEP_KEY, first, member)
  const second = await earliest(redis, exp)
  if (second !== null && (first === null || second < first)) await markDue(redis, productId, second)
  return second
}

async function earliest(redis: Redis | Cluster, expKey: string): Promise<number | null> {
  // flat() reads both reply shapes: [member, score] (legacy mapping) and [[member, score]] (resp3).
  const [, score] = (await redis.zrange(expKey, 0, '0', 'WITHSCORES')).flat()
  return score === undefined ? null : Number(score)
}
