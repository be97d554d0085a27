import t from 'tap'
import { productKeys } from '../../src/stock/index.ts'
import { stockFixture } from './helpers.ts'

// give-back.lua, mode 'return': an expired or cancelled order's units come back on sale once, whatever Redis knows of it.
const NOW = 1_800_000_000_000
const TTL = 60_000
const { store, redis, flush } = stockFixture(t)
let nextProduct = 1

// A fresh product (10 units, limit 5) with reservation 'r' of 3 units for user 9.
async function withReservation() {
  const product = nextProduct++
  await store.create(product, { stock: 10, priceCents: 100, maxPerUser: 5 }, NOW)
  await store.reserve(product, 'r', 9, 3, TTL, NOW)
  return product
}
const userUnits = (product: number) => redis.hget(productKeys(product).users, '9')

t.test('a committed reservation returns its units and the buyer allowance once', async (t) => {
  const p = await withReservation()
  await store.commit(p, 'r', NOW)
  t.equal(await store.available(p), 7)
  t.same(await store.returnUnits(p, 'r', 3, 9, NOW + 1), {
    applied: true,
    status: 'returned',
    qty: 3,
    available: 10,
  })
  t.equal(await userUnits(p), null, 'the buyer may buy again')
  t.same(await store.returnUnits(p, 'r', 3, 9, NOW + 2), { applied: false, status: 'already_returned' })
  t.same(await store.commit(p, 'r', NOW + 3), { applied: false, status: 'already_released' }, 'a late commit')
  t.same(await store.release(p, 'r', 3, 9, NOW + 4), { applied: false, status: 'already_released' })
  t.equal(await store.available(p), 10, 'nothing minted by the repeats')
})

t.test('a live reservation (its commit not delivered yet) returns from its own record', async (t) => {
  const p = await withReservation()
  t.match(await store.returnUnits(p, 'r', 3, 9, NOW + 1), { applied: true, status: 'returned_live', qty: 3 })
  t.equal(await store.available(p), 10)
  t.same(await store.commit(p, 'r', NOW + 2), { applied: false, status: 'already_released' })
  t.equal(await store.available(p), 10)
  t.match(await store.snapshot(p), { reservations: 0 })
})

t.test('a released reservation returns nothing (its units came back then)', async (t) => {
  const p = await withReservation()
  await store.release(p, 'r', 3, 9, NOW)
  t.same(await store.returnUnits(p, 'r', 3, 9, NOW + 1), { applied: false, status: 'already_released' })
  t.equal(await store.available(p), 10)
})

t.test(
  'unknown to Redis: nothing is added on a guess; cold: the tombstone outlives the warm-up',
  async (t) => {
    const p = await withReservation()
    await store.commit(p, 'r', NOW)
    await redis.del(productKeys(p).outcome)
    t.same(await store.returnUnits(p, 'r', 3, 9, NOW + 1), { applied: false, status: 'unknown' })
    t.equal(await store.available(p), 7, 'left to the reconciler (stock − Σ pending)')

    const q = await withReservation()
    await store.commit(q, 'r', NOW)
    await flush()
    t.same(await store.returnUnits(q, 'r', 3, 9, NOW + 1), { applied: false, status: 'cold' })
    // The warm-up reads MySQL, which already holds the returned units.
    await store.warm(
      q,
      { stock: 10, pendingQty: 0, priceCents: 100, maxPerUser: 5, userUnits: [], supplied: 10 },
      NOW,
    )
    t.same(await store.returnUnits(q, 'r', 3, 9, NOW + 2), { applied: false, status: 'already_returned' })
    t.equal(await store.available(q), 10)
  },
)

t.test('a counted order (rebuilt while pending) returns what the warm-up subtracted', async (t) => {
  const p = nextProduct++
  await store.warm(
    p,
    {
      stock: 10,
      pendingQty: 2,
      priceCents: 100,
      maxPerUser: 0,
      userUnits: [[9, 2]],
      pending: [{ reservationId: 'r', qty: 2, userId: 9 }],
      supplied: 10,
    },
    NOW,
  )
  t.equal(await store.available(p), 8)
  t.match(await store.returnUnits(p, 'r', 2, 9, NOW + 1), {
    applied: true,
    status: 'returned_counted',
    qty: 2,
  })
  t.equal(await store.available(p), 10)
  t.match(await store.snapshot(p), { counted: 0 })
})
