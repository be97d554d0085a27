import t from 'tap'
import { productKeys, uuidV7Time } from '../../src/stock/index.ts'
import { stockFixture, uuidV7At } from './helpers.ts'

const NOW = 1_800_000_000_000
const TTL = 60_000
const fixture = stockFixture(t)
const { store, redis } = fixture
const warmInput = (stock: number, pendingQty = 0) => ({
  stock,
  pendingQty,
  priceCents: 250,
  maxPerUser: 0,
  userUnits: [],
  supplied: stock,
})

t.test('cold → warm → reserve', async (t) => {
  t.equal(await store.available(1), null)
  t.same(await store.reserve(1, 'r1', 1, 1, TTL, NOW), { ok: false, reason: 'cold', available: null })
  t.same(await store.restock(1, 25), { status: 'cold', available: null }, 'cold: MySQL has it')
  t.equal(await redis.exists(productKeys(1).available), 0)
  t.same(await store.warm(1, warmInput(20, 4), NOW), { warmed: true, available: 16 })
  t.match(await store.reserve(1, 'r1', 1, 1, TTL, NOW), { ok: true, price_cents: 250, available: 15 })
  t.same(await store.restock(1, 25), { status: 'applied', added: 5, available: 20 })
  t.match(await store.snapshot(1), {
    available: 20,
    price_cents: 250,
    max_per_user: 0,
    warmed_at: NOW,
    supplied: 25,
  })
})

t.test('50 concurrent warm-ups (several connections) write the state once', async (t) => {
  const stores = [store, fixture.connect(), fixture.connect()]
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => stores[i % 3]!.warm(2, warmInput(100 + i, 10), NOW + i)),
  )
  const winners = results.filter((r) => r.warmed)
  t.equal(winners.length, 1)
  const expected = winners[0]!.available
  t.ok(
    results.every((r) => r.available === expected),
    'everyone sees the single written state',
  )
  t.equal(await store.available(2), expected)
  // A late warm-up after sales does not reset anything either.
  await store.reserve(2, 'x', 1, 5, TTL, NOW)
  t.same(await store.warm(2, warmInput(100, 0), NOW), { warmed: false, available: expected - 5 })
})

t.test(
  'warm-up after a flush with pending orders gives stock − pending, and settles correctly',
  async (t) => {
    const p = 3
    const before = NOW - 10_000
    await store.create(p, { stock: 10, priceCents: 100, maxPerUser: 4 }, before)
    const a = uuidV7At(before + 1) // user 1, 3 units, will still be pending at the flush
    const b = uuidV7At(before + 2) // user 2, 2 units, completed before the flush
    const c = uuidV7At(before + 3) // user 1, 1 unit, pending at the flush, will complete after it
    await store.reserve(p, a, 1, 3, TTL, before)
    await store.reserve(p, b, 2, 2, TTL, before)
    await store.reserve(p, c, 1, 1, TTL, before)
    await store.commit(p, b, before + 10)
    t.equal(await store.available(p), 4)

    await fixture.flush() // What FLUSHALL / a failover to an empty replica does to this product.
    t.match(await store.reserve(p, uuidV7At(NOW), 3, 1, TTL, NOW), { ok: false, reason: 'cold' })

    // MySQL now: stock 8 (b completed), pending a (3) + c (1); per user: 1 → 4 units, 2 → 2 units.
    const warmed = await store.warm(
      p,
      {
        stock: 8,
        pendingQty: 4,
        supplied: 10,
        priceCents: 100,
        maxPerUser: 4,
        userUnits: [
          [1, 4],
          [2, 2],
          [3, 0],
        ],
        pending: [
          { reservationId: a, qty: 3, userId: 1 },
          { reservationId: c, qty: 1, userId: 1 },
        ],
      },
      NOW,
    )
    t.same(warmed, { warmed: true, available: 4 }, 'stock − pending, not stock')
    t.same(await redis.hgetall(productKeys(p).users), { 1: '4', 2: '2' })
    t.same(await store.reserve(p, uuidV7At(NOW + 1), 1, 1, TTL, NOW + 1), {
      ok: false,
      reason: 'per_user_limit',
      available: 4,
    })

    // a fails: Redis does not know it, but the warm-up subtracted it → its units come back.
    t.same(await store.release(p, a, 3, 1, NOW + 2), {
      applied: true,
      status: 'released_counted',
      qty: 3,
      available: 7,
    })
    t.same(await store.release(p, a, 3, 1, NOW + 3), { applied: false, status: 'already_released' })
    t.equal(await redis.hget(productKeys(p).users, '1'), '1')
    // c completes: nothing to move, the warm-up already subtracted it.
    t.same(await store.commit(p, c, NOW + 4), { applied: false, status: 'counted' })
    t.equal((await store.snapshot(p)).counted, 0, 'both counted orders settled')
    t.equal(await store.available(p), 7)
    // Books: stock 8 − c's 1 = 7 in MySQL, nothing pending: Redis agrees.
  },
)

// Issue 6, item 6: a release for a reservation Redis forgot used to give its units back whenever the
// reservation was older than the warm-up — true only if its order was pending then.
t.test('a release never mints stock: only orders the warm-up counted give units back', async (t) => {
  const p = 4
  const failedBeforeFlush = uuidV7At(NOW - 5_000) // its order failed (DLQ) before the flush
  const compensated = uuidV7At(NOW - 100) // an intake's INSERT failed: no row ever
  await store.warm(p, warmInput(10, 0), NOW)
  t.same(await store.release(p, failedBeforeFlush, 2, 1, NOW + 1), { applied: false, status: 'unknown' })
  t.same(await store.release(p, compensated, 1, 2, NOW + 2), { applied: false, status: 'unknown' })
  t.same(await store.release(p, uuidV7At(NOW + 1), 2, 1, NOW + 2), { applied: false, status: 'unknown' })
  t.equal(await store.available(p), 10, 'MySQL says 10 − 0 pending: not one unit more')
  // A late reserve of a reservation that was already released must not deduct.
  t.match(await store.reserve(p, compensated, 1, 2, TTL, NOW + 3), { ok: false, reason: 'settled' })
})

t.test('a commit Redis cannot account for moves nothing: the reconciler owns that repair', async (t) => {
  const p = 7
  await store.create(p, { stock: 10, priceCents: 100, maxPerUser: 0 }, NOW - 1_000)
  const inFlight = uuidV7At(NOW - 50)
  await store.reserve(p, inFlight, 4, 2, TTL, NOW - 50)
  await fixture.flush()
  await store.warm(p, warmInput(10, 0), NOW)
  t.same(await store.commit(p, inFlight, NOW + 5), { applied: false, status: 'unknown' })
  t.same(await store.release(p, inFlight, 2, 4, NOW + 6), { applied: false, status: 'already_committed' })
  t.equal(await store.available(p), 10)
})

t.test('a partial state (e.g. an evicted key) is rebuilt whole', async (t) => {
  const p = 5
  await store.create(p, { stock: 10, priceCents: 100, maxPerUser: 0 }, NOW)
  await store.reserve(p, 'r', 1, 2, TTL, NOW)
  await redis.del(productKeys(p).meta)
  t.match(await store.reserve(p, 'r2', 1, 1, TTL, NOW), { ok: false, reason: 'cold' })
  t.same(await store.warm(p, warmInput(10, 2), NOW + 1), { warmed: true, available: 8 })
  t.match(await store.snapshot(p), { available: 8, reservations: 0, user_units: 0, warmed_at: NOW + 1 })
})

t.test('a large user list is written in one call', async (t) => {
  const p = 6
  const userUnits = Array.from({ length: 20_000 }, (_, i): [number, number] => [i, 1 + (i % 3)])
  const total = userUnits.reduce((sum, [, units]) => sum + units, 0)
  t.same(await store.warm(p, { ...warmInput(50_000, 1_000), userUnits }, NOW), {
    warmed: true,
    available: 49_000,
  })
  t.equal(await redis.hlen(productKeys(p).users), 20_000)
  t.match(await store.snapshot(p), { user_units: total })
})

t.test('uuidV7Time reads the embedded timestamp, and nothing else', async (t) => {
  t.equal(uuidV7Time(uuidV7At(NOW)), NOW)
  t.equal(uuidV7Time('0190b6b5-5d2a-7cc4-9a3e-0123456789ab'), 0x0190b6b55d2a)
  t.equal(uuidV7Time('0190b6b5-5d2a-4cc4-9a3e-0123456789ab'), null, 'v4 carries no time')
  t.equal(uuidV7Time('not-a-uuid'), null)
})
