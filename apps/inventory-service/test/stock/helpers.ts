import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { StockStore } from '../../src/stock/index.ts'
import type { Teardown } from '@flash/test-kit'

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

export interface StockFixture {
  prefix: string
  /** The first connection's store; `connect()` opens more on the same prefix. */
  store: StockStore
  redis: Redis
  connect(): StockStore
  /** Deletes this file's keys: what a FLUSHALL/eviction does to us, without touching anyone else. */
  flush(): Promise<void>
}

/** A key prefix of its own per test file (files run in parallel on one Redis); cleaned on teardown. */
export function stockFixture(t: Teardown): StockFixture {
  const prefix = `test:stock:${randomBytes(6).toString('hex')}:`
  const clients: Redis[] = []
  const connect = () => {
    const redis = new Redis(REDIS_URL, { keyPrefix: prefix, maxRetriesPerRequest: 1 })
    clients.push(redis)
    return new StockStore(redis)
  }
  const store = connect()
  const redis = clients[0]!
  // Without keyPrefix: SCAN returns full key names, which a prefixed client would prefix again.
  const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  const flush = () => deleteKeys(admin, prefix)
  t.teardown(async () => {
    await flush()
    await Promise.all([admin, ...clients].map((c) => c.quit()))
  })
  return { prefix, store, redis, connect, flush }
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    if (keys.length) await redis.unlink(...keys)
    cursor = next
  } while (cursor !== '0')
}

/** A UUIDv7 whose embedded timestamp is `ms` (what order-service generates as reservation id). */
export function uuidV7At(ms: number): string {
  const hex = ms.toString(16).padStart(12, '0') + randomBytes(10).toString('hex')
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/** Deterministic PRNG (mulberry32), so a failing concurrency run can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}
