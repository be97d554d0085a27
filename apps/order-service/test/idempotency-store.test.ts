import { createRedis } from '@flash/service-kit'
import { createTestRedisPrefix, TEST_REDIS_URL } from '@flash/test-kit'
import t from 'tap'
import { IdempotencyStore } from '../src/intake/idempotency-store.ts'

const redis = createRedis({ url: TEST_REDIS_URL, keyPrefix: createTestRedisPrefix(t, 'idem') })
await redis.connect()
t.teardown(() => redis.quit())

const fp = IdempotencyStore.fingerprint({ product_id: 1, quantity: 2 })
const otherFp = IdempotencyStore.fingerprint({ product_id: 1, quantity: 3 })
const accepted = { status: 202 as const, body: { order_uuid: 'uuid-1', status: 'pending' as const } }

t.test('the first request owns the key; a finished one is replayed', async (t) => {
  const store = new IdempotencyStore(redis, 60, 30_000)
  const begun = await store.begin(1, 'k1', fp, 'uuid-1')
  t.match(begun, { kind: 'owner', orderUuid: 'uuid-1', fresh: true })
  t.ok(await store.complete(1, 'k1', (begun as { owner: string }).owner, fp, accepted))
  t.same(await store.begin(1, 'k1', fp, 'uuid-2'), { kind: 'replay', answer: accepted })
  t.ok((await redis.ttl('order:idem:{u:1}:k1')) > 50, 'kept for the configured TTL')
})

t.test('a different body is 422, a request still in flight is 409', async (t) => {
  const store = new IdempotencyStore(redis, 60, 30_000)
  await store.begin(2, 'k', fp, 'uuid-a')
  await t.rejects(store.begin(2, 'k', otherFp, 'uuid-b'), { code: 'idempotency_key_reused', statusCode: 422 })
  await t.rejects(store.begin(2, 'k', fp, 'uuid-b'), {
    code: 'idempotency_request_in_flight',
    statusCode: 409,
  })
})

t.test('keys are per user', async (t) => {
  const store = new IdempotencyStore(redis, 60, 30_000)
  await store.begin(3, 'shared', fp, 'uuid-3')
  t.match(await store.begin(4, 'shared', otherFp, 'uuid-4'), { kind: 'owner', orderUuid: 'uuid-4' })
})

t.test('release frees the key for a fresh attempt', async (t) => {
  const store = new IdempotencyStore(redis, 60, 30_000)
  const first = await store.begin(5, 'k', fp, 'uuid-5')
  t.ok(await store.release(5, 'k', (first as { owner: string }).owner))
  t.match(await store.begin(5, 'k', fp, 'uuid-6'), { kind: 'owner', orderUuid: 'uuid-6' })
})

t.test('after its lease a stale in-flight key is taken over once, keeping its order uuid', async (t) => {
  const store = new IdempotencyStore(redis, 60, 100)
  await store.begin(6, 'k', fp, 'uuid-crashed')
  await new Promise((resolve) => setTimeout(resolve, 120))
  const results = await Promise.allSettled([
    store.begin(6, 'k', fp, 'uuid-x'),
    store.begin(6, 'k', fp, 'uuid-y'),
  ])
  const owners = results.filter((r) => r.status === 'fulfilled')
  t.equal(owners.length, 1, 'exactly one retry takes over')
  t.match((owners[0] as PromiseFulfilledResult<unknown>).value, {
    kind: 'owner',
    orderUuid: 'uuid-crashed',
    fresh: false,
  })
})

t.test('an attempt that lost its lease can neither release nor overwrite the new holder', async (t) => {
  const store = new IdempotencyStore(redis, 60, 100)
  const stalled = (await store.begin(7, 'k', fp, 'uuid-first')) as { owner: string }
  await new Promise((resolve) => setTimeout(resolve, 120))
  const retry = (await store.begin(7, 'k', fp, 'uuid-other')) as { owner: string }
  t.notOk(await store.release(7, 'k', stalled.owner), 'the stalled attempt fails and may not free the key')
  const failed = { status: 409, code: 'out_of_stock', detail: 'late' }
  t.notOk(await store.complete(7, 'k', stalled.owner, fp, failed), 'nor record its own answer')
  t.ok(await store.complete(7, 'k', retry.owner, fp, accepted))
  t.same(
    await store.begin(7, 'k', fp, 'uuid-third'),
    { kind: 'replay', answer: accepted },
    'a third try replays',
  )
})

t.test('a Redis that lost its records says so for one TTL; a new deployment does not', async (t) => {
  const store = new IdempotencyStore(redis, 60, 30_000)
  await redis.del('order:idem:complete-since')
  await store.initialise(async () => false)
  t.notOk(await store.mayHaveForgotten(), 'nothing keyed was ever written: complete since forever')
  await redis.del('order:idem:complete-since')
  t.ok(await store.mayHaveForgotten(), 'the marker vanished (flush): records may be gone')
  t.ok(await store.mayHaveForgotten(), 'and stay possibly gone for one TTL')
  const [seconds] = await redis.time()
  await redis.set('order:idem:complete-since', String((Number(seconds) - 61) * 1000))
  t.notOk(await store.mayHaveForgotten(), 'after one TTL every record is new again')
})

/** Runs `work` on a host whose clock is `skewMs` off (NTP lost, a paused VM): the fault, not a mock. */
async function onSkewedHost<T>(skewMs: number, work: () => Promise<T>): Promise<T> {
  const hostNow = Date.now
  Date.now = () => hostNow() + skewMs
  try {
    return await work()
  } finally {
    Date.now = hostNow
  }
}

t.test('leases are timed by the clock instances share, not by each host', async (t) => {
  const store = new IdempotencyStore(redis, 60, 30_000)
  // Instance A, ten minutes behind, claims the key and is still working on it.
  const a = await onSkewedHost(-600_000, () => store.begin(8, 'k', fp, 'uuid-a'))
  t.match(a, { kind: 'owner', orderUuid: 'uuid-a' })
  await t.rejects(
    store.begin(8, 'k', fp, 'uuid-b'),
    { code: 'idempotency_request_in_flight' },
    "an instance on time does not see A's fresh lease as long over",
  )
  await t.rejects(
    onSkewedHost(600_000, () => store.begin(8, 'k', fp, 'uuid-c')),
    { code: 'idempotency_request_in_flight' },
    'nor does one ten minutes ahead',
  )
  // A crashed attempt's lease, expired by the shared clock, is taken over by an instance running behind.
  const crashed = new IdempotencyStore(redis, 60, 1_000)
  await crashed.begin(9, 'k', fp, 'uuid-crashed')
  await redis.set(
    'order:idem:{u:9}:k',
    (await redis.get('order:idem:{u:9}:k'))!.replace(/"lease_until":\d+/, '"lease_until":0'),
  )
  t.match(
    await onSkewedHost(-600_000, () => store.begin(9, 'k', fp, 'uuid-late')),
    { kind: 'owner', orderUuid: 'uuid-crashed', fresh: false },
    'a lease that is over is over for every instance',
  )
})
