import { createTestRedisPrefix, TEST_REDIS_URL } from '@flash/test-kit'
import { Redis } from 'ioredis'
import t from 'tap'
import { RedisDataSince } from '../src/index.ts'

const prefix = createTestRedisPrefix(t, 'kit-data-since')
const redis = new Redis(TEST_REDIS_URL, { keyPrefix: prefix })
t.teardown(() => redis.quit())

t.test('a missing marker means the data may be lost: the first reader starts the window now', async (t) => {
  const marker = new RedisDataSince(redis, 'lost')
  t.equal(await marker.lostWithin(60_000), true, 'just lost: anything written before now may be missing')
  const { sinceMs, nowMs } = await marker.read()
  t.ok(sinceMs > 0 && sinceMs <= nowMs, 'set once, on Redis clock')
  t.equal((await marker.read()).sinceMs, sinceMs, 'later reads keep it')
  t.equal(await marker.lostWithin(0), false, 'outside the window nothing is missing')
})

t.test(
  'seed: since 0 when MySQL expects nothing, since now when it does; never over an existing marker',
  async (t) => {
    const fresh = new RedisDataSince(redis, 'fresh')
    await fresh.seed(async () => false)
    t.equal((await fresh.read()).sinceMs, 0)
    t.equal(await fresh.lostWithin(60_000), false, 'a new Redis has lost nothing')

    const emptied = new RedisDataSince(redis, 'emptied')
    await emptied.seed(async () => true)
    t.not((await emptied.read()).sinceMs, 0)
    t.equal(await emptied.lostWithin(60_000), true)

    let asked = false
    await fresh.seed(async () => {
      asked = true
      return true
    })
    t.equal(asked, false, 'an existing marker is left alone')
    t.equal((await fresh.read()).sinceMs, 0)
  },
)
