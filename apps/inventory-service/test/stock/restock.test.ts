import t from 'tap'
import { productKeys } from '../../src/stock/index.ts'
import { stockFixture } from './helpers.ts'

// Restocks are applied by version (`supplied` = initial stock + restocks): these are the races a
// plain INCRBY gets wrong.
const NOW = 1_800_000_000_000
const TTL = 60_000
const fixture = stockFixture(t)
const { store, redis } = fixture
const fromMysql = (stock: number, supplied: number, pendingQty = 0) => ({
  stock,
  supplied,
  pendingQty,
  priceCents: 100,
  maxPerUser: 0,
  userUnits: [],
})

t.test('a restock during live reservations adds exactly its units', async (t) => {
  const p = 1
  await store.create(p, { stock: 10, priceCents: 100, maxPerUser: 0 }, NOW)
  await store.reserve(p, 'a', 1, 4, TTL, NOW)
  t.same(await store.restock(p, 15), { status: 'applied', added: 5, available: 11 })
  t.same(await store.restock(p, 15), { status: 'noop', available: 11 }, 'a retry adds nothing')
  t.same(await store.restock(p, 12), { status: 'noop', available: 11 }, 'an older version adds nothing')
  await store.release(p, 'a', 4, 1, NOW)
  t.equal(await store.available(p), 15)
})

t.test(
  'MySQL restock → state lost → warm-up reads the new stock → Redis restock: no double count',
  async (t) => {
    const p = 2
    await store.create(p, { stock: 100, priceCents: 100, maxPerUser: 0 }, NOW)
    await store.reserve(p, 'held', 1, 3, TTL, NOW) // pending order of 3 from here on
    // MySQL: stock 100 → 150, supplied 100 → 150 (committed). Then Redis loses the state…
    await fixture.flush()
    // …and a warm-up reads MySQL after the restock.
    t.same(await store.warm(p, fromMysql(150, 150, 3), NOW + 1), { warmed: true, available: 147 })
    // The restock's own Redis step arrives last: the state already includes supplied 150.
    t.same(await store.restock(p, 150), { status: 'noop', available: 147 })
  },
)

t.test('a warm-up that read MySQL before the restock, written after it found the state cold', async (t) => {
  const p = 3
  t.same(await store.restock(p, 150), { status: 'cold', available: null }, 'cold: nothing to add to')
  // The stale warm-up (stock 100, supplied 100) lands now; applying the version again delivers +50.
  await store.warm(p, fromMysql(100, 100), NOW)
  t.same(await store.restock(p, 150), { status: 'applied', added: 50, available: 150 })
  t.match(await store.snapshot(p), { available: 150, supplied: 150 })
})

t.test('restocks arriving out of order, and a lost one delivered by a later total', async (t) => {
  const p = 4
  await store.create(p, { stock: 10, priceCents: 100, maxPerUser: 0 }, NOW)
  // Restocks A (supplied 20) and B (supplied 30) committed in that order; B's Redis step comes first.
  t.same(await store.restock(p, 30), { status: 'applied', added: 20, available: 30 })
  t.same(await store.restock(p, 20), { status: 'noop', available: 30 })
  // C (40) never reaches Redis; D (45) brings both.
  t.same(await store.restock(p, 45), { status: 'applied', added: 15, available: 45 })
})

t.test('a state without a recorded version is not guessed at', async (t) => {
  const p = 5
  await store.create(p, { stock: 10, priceCents: 100, maxPerUser: 0 }, NOW)
  await redis.hdel(productKeys(p).meta, 'supplied')
  t.same(await store.restock(p, 20), { status: 'cold', available: null })
  t.equal(await store.available(p), 10)
})
