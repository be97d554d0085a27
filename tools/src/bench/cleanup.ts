// Teardown of everything the bench made, last made first, each step on its own so one failure does not
// leave the rest behind; and removal of the bench's Redis keys.
import { Redis } from 'ioredis'

export class Cleanup {
  readonly #steps: { name: string; fn: () => Promise<unknown> }[] = []
  #running: Promise<string[]> | undefined

  add(name: string, fn: () => Promise<unknown>): void {
    this.#steps.push({ name, fn })
  }

  /** Runs every step once (later calls get the same promise); returns the failures. */
  run(): Promise<string[]> {
    this.#running ??= (async () => {
      const failures: string[] = []
      for (let step = this.#steps.pop(); step; step = this.#steps.pop()) {
        try {
          await step.fn()
        } catch (error) {
          failures.push(`${step.name}: ${(error as Error).message}`)
        }
      }
      return failures
    })()
    return this.#running
  }
}

/** SCAN + UNLINK of every key under `prefix` (never FLUSHALL: others share this Redis). Bounded. */
export async function deleteRedisPrefix(url: string, prefix: string): Promise<number> {
  if (!prefix) throw new Error('refusing to delete keys without a prefix')
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  let deleted = 0
  try {
    await redis.connect()
    let cursor = '0'
    for (let i = 0; i < 100_000; i++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
      if (keys.length) deleted += await redis.unlink(...keys)
      cursor = next
      if (cursor === '0') break
    }
  } finally {
    redis.disconnect()
  }
  return deleted
}
