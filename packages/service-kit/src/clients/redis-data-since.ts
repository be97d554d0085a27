import type { Cluster, Redis } from 'ioredis'

// Timed by the Redis server's clock (TIME), the one clock all instances share.
const SINCE = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local since = redis.call('GET', KEYS[1])
if not since then
  since = ARGV[1] == 'now' and now or tonumber(ARGV[1])
  redis.call('SET', KEYS[1], since)
end
return {tonumber(since), now}`

/**
 * "Did Redis lose its data?": a key holding since when (ms, on Redis's clock) this Redis holds the
 * data a service keeps in it. A Redis without the key is new or lost everything (a flush, a failover
 * to an empty replica, a new cluster), so the first reader sets it to now: data written before then
 * may be missing. At boot MySQL tells a new Redis (nothing to have lost: since 0) from an emptied one.
 */
export class RedisDataSince {
  readonly #redis: Redis | Cluster
  readonly #key: string

  constructor(redis: Redis | Cluster, key: string) {
    this.#redis = redis
    this.#key = key
  }

  /** Since when this Redis holds its data, set to `ifMissing` ('now': its clock) when absent; and its now. */
  async read(ifMissing: 'now' | number = 'now'): Promise<{ sinceMs: number; nowMs: number }> {
    const [since, now] = (await this.#redis.eval(SINCE, 1, this.#key, String(ifMissing))) as [number, number]
    return { sinceMs: Number(since), nowMs: Number(now) }
  }

  /** Whether data written up to `windowMs` ago may be missing (the loss was seen within it). */
  async lostWithin(windowMs: number): Promise<boolean> {
    const { sinceMs, nowMs } = await this.read('now')
    return sinceMs > nowMs - windowMs
  }

  /**
   * At boot, when the key is missing: since now if MySQL holds data this Redis should hold (it lost
   * it), since 0 if not (a new deployment, a test: nothing can be missing).
   */
  async seed(dataExpected: () => Promise<boolean>): Promise<void> {
    if ((await this.#redis.exists(this.#key)) === 1) return
    await this.read((await dataExpected()) ? 'now' : 0)
  }
}
