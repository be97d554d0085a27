import { Redis } from 'ioredis'
import { uniqueName } from './database.ts'
import type { Teardown } from './teardown.ts'

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Deletes every key under `prefix` with SCAN (never FLUSHALL: other test files share the server). */
export async function deleteKeysByPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0'
  let deleted = 0
  // Bounded: SCAN terminates when the cursor returns to 0; the cap guards against a misbehaving server.
  for (let i = 0; i < 100_000; i++) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
    if (keys.length) deleted += await redis.unlink(...keys)
    cursor = next
    if (cursor === '0') break
  }
  return deleted
}

/** A key prefix of its own for one test file, with its keys removed on teardown. */
export function createTestRedisPrefix(t: Teardown, label = 'redis'): string {
  const prefix = `${uniqueName(label)}:`
  t.teardown(async () => {
    const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 })
    try {
      await deleteKeysByPrefix(redis, prefix)
    } finally {
      redis.disconnect()
    }
  })
  return prefix
}
