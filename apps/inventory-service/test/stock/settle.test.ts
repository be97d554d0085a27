import t from 'tap'
import { productKeys } from '../../src/stock/index.ts'
import { stockFixture } from './helpers.ts'

const NOW = 1_800_000_000_000
const TTL = 60_000
const { store, redis } = stockFixture(t)
let nextProduct = 1

// A fresh product with `stock` units and one live reservation 'r' of 3 units for user 9.
async function withReservation(stock = 10) {
  const product = nextProduct++
  await store.create(product, { stock, priceCents: 100, maxPerUser: 5 }, NOW)
  await store.reserve(product, 'r', 9, 3, TTL, NOW)
  return product
}

const userUnits = (product: number) => redis.hget(productKeys(product).users, '9')

t.test('commit keeps units deducted and counted for the user; a second commit is a no-op', async (t) => {
  const p = await withReservation()
  t.same(await store.commit(p, 'r', NOW + 1), { applied: true, status: 'committed', qty: 3 })
  t.same(await store.commit(p, 'r', NOW + 2), { applied: false, status: 'already_committed' })
  t.equal(await store.available(p), 7)
  t.equal(await userUnits(p), '3')
  t.match(await store.snapshot(p), { reservations: 0, reserved_units: 0, tombstones: 1 })
  t.same(await store.expired(p, NOW + TTL * 10, 10), [])
})

t.test('release returns units to available and to the user; a second release is a no-op', async (t) => {
  const p = await withReservation()
  t.same(await store.release(p, 'r', 3, 9, NOW + 1), {
    applied: true,
    status: 'released',
    qty: 3,
    available: 10,
  })
  t.same(await store.release(p, 'r', 3, 9, NOW + 2), { applied: false, status: 'already_released' })
  t.equal(await store.available(p), 10)
  t.equal(await userUnits(p), null)
  t.match(await store.snapshot(p), { reservations: 0, tombstones: 1 })
})

t.test('release after commit does nothing', async (t) => {
  const p = await withReservation()
  await store.commit(p, 'r', NOW)
  t.same(await store.release(p, 'r', 3, 9, NOW), { applied: false, status: 'already_committed' })
  t.equal(await store.available(p), 7)
  t.equal(await userUnits(p), '3')
})

t.test('commit after release does nothing', async (t) => {
  const p = await withReservation()
  await store.release(p, 'r', 3, 9, NOW)
  t.same(await store.commit(p, 'r', NOW), { applied: false, status: 'already_released' })
  t.equal(await store.available(p), 10)
  t.equal(await userUnits(p), null)
})

t.test('release uses the stored quantity and user, not the caller’s', async (t) => {
  const p = await withReservation()
  t.match(await store.release(p, 'r', 1, 1234, NOW), { applied: true, qty: 3, available: 10 })
  t.equal(await userUnits(p), null)
  t.equal(await redis.hget(productKeys(p).users, '1234'), null)
})

t.test('duplicated settle messages racing each other apply exactly once', async (t) => {
  const p = await withReservation()
  const results = await Promise.all([
    ...Array.from({ length: 20 }, () => store.commit(p, 'r', NOW)),
    ...Array.from({ length: 20 }, () => store.release(p, 'r', 3, 9, NOW)),
  ])
  t.equal(results.filter((r) => r.applied).length, 1)
  const committed = results.some((r) => r.applied && r.status === 'committed')
  t.equal(await store.available(p), committed ? 7 : 10)
  t.equal(await userUnits(p), committed ? '3' : null)
})

t.test('commit of a reservation Redis never saw is a no-op, and blocks a later release', async (t) => {
  const p = await withReservation()
  t.same(await store.commit(p, 'ghost', NOW), { applied: false, status: 'unknown' })
  t.same(await store.release(p, 'ghost', 2, 9, NOW), {
    applied: false,
    status: 'already_committed',
  })
  t.equal(await store.available(p), 7)
})

t.test('releases on a cold product leave no partial state but a tombstone', async (t) => {
  const p = nextProduct++
  t.same(await store.release(p, 'r', 2, 9, NOW), { applied: false, status: 'cold' })
  t.equal(await store.available(p), null)
  t.same(await store.release(p, 'r', 2, 9, NOW), { applied: false, status: 'already_released' })
  // The next warm-up reads MySQL, where this order is no longer pending; the tombstone keeps a
  // replayed release from adding its units on top.
  await store.warm(
    p,
    { stock: 10, pendingQty: 0, priceCents: 1, maxPerUser: 0, userUnits: [], supplied: 10 },
    NOW + 5,
  )
  t.same(await store.release(p, 'r', 2, 9, NOW + 6), { applied: false, status: 'already_released' })
  t.equal(await store.available(p), 10)
})
