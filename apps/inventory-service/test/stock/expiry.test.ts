import t from 'tap'
import { productKeys, SWEEP_KEY } from '../../src/stock/index.ts'
import { stockFixture } from './helpers.ts'

const NOW = 1_800_000_000_000
const { store, redis } = stockFixture(t)

t.test('expired lists only live reservations past their expiry, oldest first, bounded', async (t) => {
  const p = 1
  await store.create(p, { stock: 100, priceCents: 100, maxPerUser: 0 }, NOW)
  await store.reserve(p, 'late', 1, 1, 30_000, NOW)
  await store.reserve(p, 'early', 2, 2, 10_000, NOW)
  await store.reserve(p, 'mid', 3, 3, 20_000, NOW)
  await store.reserve(p, 'done', 4, 1, 5_000, NOW)
  await store.commit(p, 'done', NOW + 1)

  t.same(await store.expired(p, NOW + 9_999, 10), [])
  t.same(await store.expired(p, NOW + 20_000, 10), [
    { reservation_id: 'early', qty: 2, user_id: '2', expires_at_ms: NOW + 10_000 },
    { reservation_id: 'mid', qty: 3, user_id: '3', expires_at_ms: NOW + 20_000 },
  ])
  t.same(
    (await store.expired(p, NOW + 60_000, 2)).map((r) => r.reservation_id),
    ['early', 'mid'],
  )
})

t.test('extend keeps a pending order’s reservation away from the sweeper', async (t) => {
  const p = 2
  await store.create(p, { stock: 10, priceCents: 100, maxPerUser: 0 }, NOW)
  await store.reserve(p, 'pending', 7, 2, 10_000, NOW)
  t.equal((await store.expired(p, NOW + 15_000, 10)).length, 1)
  t.equal(await store.extend(p, 'pending', NOW + 40_000), true)
  t.same(await store.expired(p, NOW + 15_000, 10), [])
  t.same(await store.expired(p, NOW + 40_000, 10), [
    { reservation_id: 'pending', qty: 2, user_id: '7', expires_at_ms: NOW + 40_000 },
  ])
  // The reservation itself is unchanged: it still settles with its units.
  t.same(await store.release(p, 'pending', 2, 7, NOW), {
    applied: true,
    status: 'released',
    qty: 2,
    available: 10,
  })
  t.equal(await store.extend(p, 'pending', NOW + 50_000), false, 'a settled reservation is not revived')
  t.equal(await store.extend(p, 'never', NOW + 50_000), false)
  t.same(await store.expired(p, NOW + 60_000, 10), [])
})

t.test('the sweep index finds products with expired reservations without SCAN', async (t) => {
  // A prefix of its own: the index is global to the prefix, and earlier tests left products in it.
  const { store, redis } = stockFixture(t)
  await store.create(10, { stock: 10, priceCents: 100, maxPerUser: 0 }, NOW)
  await store.create(11, { stock: 10, priceCents: 100, maxPerUser: 0 }, NOW)
  await store.create(12, { stock: 10, priceCents: 100, maxPerUser: 0 }, NOW)
  await store.reserve(10, 'a', 1, 1, 10_000, NOW)
  await store.reserve(10, 'b', 1, 1, 5_000, NOW)
  await store.reserve(11, 'c', 1, 1, 20_000, NOW)
  await store.reserve(12, 'd', 1, 1, 1_000, NOW)
  await store.release(12, 'd', 1, 1, NOW)

  // Product 12's mark is stale (early): harmless, the sweeper finds nothing there and refreshes it.
  t.same(await store.dueProducts(NOW + 6_000, 10), ['12', '10'])
  t.equal(await redis.zscore(SWEEP_KEY, '10'), String(NOW + 5_000))
  t.same(await store.expired(12, NOW + 6_000, 10), [])
  t.equal(await store.refreshDue(12), null)
  t.equal(await redis.zscore(SWEEP_KEY, '12'), null)

  // Sweep product 10 as the sweeper would: release what expired, then refresh its mark.
  for (const r of await store.expired(10, NOW + 6_000, 10)) {
    await store.release(10, r.reservation_id, r.qty, r.user_id, NOW + 6_000)
  }
  t.equal(await store.refreshDue(10), NOW + 10_000)
  t.same(await store.dueProducts(NOW + 6_000, 10), [])
  t.same(await store.dueProducts(NOW + 20_000, 10), ['10', '11'])
  t.equal(await store.available(10), 9)

  // Extending to an earlier time moves the mark earlier; a replayed reserve re-marks.
  t.equal(await store.extend(11, 'c', NOW + 2_000), true)
  t.equal(await redis.zscore(SWEEP_KEY, '11'), String(NOW + 2_000))
  await redis.zrem(SWEEP_KEY, '11') // A crash between the reserve script and its mark.
  await store.reserve(11, 'c', 1, 1, 20_000, NOW)
  t.equal(await redis.zscore(SWEEP_KEY, '11'), String(NOW + 2_000))
})

t.test('tombstones are trimmed by age, and only the old ones', async (t) => {
  const p = 3
  await store.create(p, { stock: 3_000, priceCents: 100, maxPerUser: 0 }, NOW)
  // 2,500 old settlements (more than one trim batch) and 2 recent ones.
  await Promise.all(Array.from({ length: 2_500 }, (_, i) => store.reserve(p, `old${i}`, i, 1, 60_000, NOW)))
  await Promise.all(Array.from({ length: 2_500 }, (_, i) => store.commit(p, `old${i}`, NOW + 1)))
  await store.reserve(p, 'new1', 1, 1, 60_000, NOW)
  await store.reserve(p, 'new2', 1, 1, 60_000, NOW)
  await store.commit(p, 'new1', NOW + 100)
  await store.release(p, 'new2', 1, 1, NOW + 100)

  t.equal(await store.trimTombstones(p, NOW + 1), 0, 'the cutoff is exclusive')
  t.equal(await store.trimTombstones(p, NOW + 50), 2_500)
  t.equal(await redis.hlen(productKeys(p).outcome), 2)
  t.match(await store.snapshot(p), { tombstones: 2, available: 3_000 - 2_501 })
  // Surviving tombstones still guard: a release after commit stays a no-op.
  t.same(await store.release(p, 'new1', 1, 1, NOW + 200), { applied: false, status: 'already_committed' })
  t.equal(await store.trimTombstones(p, NOW + 50), 0)
})

t.test('snapshot of a cold product', async (t) => {
  t.same(await store.snapshot(99), {
    available: null,
    price_cents: null,
    max_per_user: null,
    warmed_at: null,
    reservations: 0,
    reserved_units: 0,
    user_units: 0,
    tombstones: 0,
    supplied: null,
    counted: 0,
    repairs: 0,
    last_repair_delta: null,
    last_repair_at: null,
  })
})

// Issue 13: instances compare reservation expiries (one reserves, another sweeps), so the expiry is
// taken on Redis's clock, which every instance shares, and the sweeper compares with the same clock.
t.test("'server': the expiry is Redis TIME + ttl, whatever this host's clock says", async (t) => {
  const p = 9
  await store.create(p, { stock: 10, priceCents: 100, maxPerUser: 0 }, NOW)
  const before = await store.serverTimeMs()
  const reserved = await store.reserve(p, 'on-server-clock', 1, 1, 30_000, 'server')
  const after = await store.serverTimeMs()
  if (!reserved.ok) throw new Error('reserve refused')
  t.ok(reserved.expires_at_ms >= before + 30_000 && reserved.expires_at_ms <= after + 30_000)
  t.same(await store.expired(p, before + 30_000 - 1, 10), [], 'not expired before its time on that clock')
  t.same(
    (await store.expired(p, after + 30_000, 10)).map((r) => r.reservation_id),
    ['on-server-clock'],
  )
  const [due] = await redis.zmscore(SWEEP_KEY, String(p))
  t.ok(Number(due) <= reserved.expires_at_ms, 'its sweep mark is no later than its expiry')
})
