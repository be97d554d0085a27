import t from 'tap'
import { productKeys, type StockStore } from '../../src/stock/index.ts'
import { prng, stockFixture } from './helpers.ts'

const NOW = 1_800_000_000_000
const TTL = 60_000
const fixture = stockFixture(t)
const { redis } = fixture
// Several connections, like several inventory-service instances hitting one Redis.
const stores: StockStore[] = [fixture.store, ...Array.from({ length: 4 }, () => fixture.connect())]
const storeFor = (i: number) => stores[i % stores.length]!

const sumValues = async (key: string) => (await redis.hvals(key)).reduce((sum, v) => sum + Number(v), 0)

t.test('3,000 concurrent reserves of 1-3 units on stock 500 sell exactly the stock', async (t) => {
  const p = 1
  await fixture.store.create(p, { stock: 500, priceCents: 100, maxPerUser: 0 }, NOW)
  const random = prng(1)
  const requests = Array.from({ length: 3_000 }, (_, i) => ({
    id: `r${i}`,
    user: i % 700,
    qty: 1 + Math.floor(random() * 3),
  }))
  const results = await Promise.all(
    requests.map((r, i) =>
      storeFor(i)
        .reserve(p, r.id, r.user, r.qty, TTL, NOW)
        .then((res) => ({ ...r, res })),
    ),
  )
  const accepted = results.filter((r) => r.res.ok)
  const rejected = results.filter((r) => !r.res.ok)
  const soldUnits = accepted.reduce((sum, r) => sum + r.qty, 0)
  const left = (await fixture.store.available(p))!

  t.ok(left >= 0, 'available never below zero')
  t.equal(soldUnits + left, 500, 'every unit is either reserved or still available')
  t.ok(
    rejected.every((r) => !r.res.ok && r.res.reason === 'out_of_stock' && r.qty > left),
    'each rejection asked for more than what is left (no undersell)',
  )
  t.ok(
    accepted.every((r) => r.res.ok && r.res.available >= 0),
    'no accepted reservation saw available below zero',
  )
  // The answers' `available` values are distinct points of one serial history.
  t.equal(new Set(accepted.map((r) => r.res.ok && r.res.available)).size, accepted.length)

  // Drain what is left with single units: exactly the stock has then been sold.
  const tail = await Promise.all(
    Array.from({ length: 10 }, (_, i) => storeFor(i).reserve(p, `tail${i}`, 9_999, 1, TTL, NOW)),
  )
  const tailUnits = tail.filter((r) => r.ok).length
  t.equal(soldUnits + tailUnits, 500)
  t.equal(await fixture.store.available(p), 0)

  const keys = productKeys(p)
  t.equal(await redis.hlen(keys.res), accepted.length + tailUnits)
  t.equal(await redis.zcard(keys.exp), accepted.length + tailUnits)
  t.equal(await sumValues(keys.users), 500)
  t.match(await fixture.store.snapshot(p), { available: 0, reserved_units: 500, user_units: 500 })
})

t.test('per-user limit holds under concurrency', async (t) => {
  const p = 2
  await fixture.store.create(p, { stock: 10_000, priceCents: 100, maxPerUser: 5 }, NOW)
  const random = prng(2)
  const requests = Array.from({ length: 600 }, (_, i) => ({
    id: `u${i}`,
    user: i % 20,
    qty: 1 + Math.floor(random() * 2),
  }))
  const results = await Promise.all(
    requests.map((r, i) =>
      storeFor(i)
        .reserve(p, r.id, r.user, r.qty, TTL, NOW)
        .then((res) => ({ ...r, res })),
    ),
  )
  const held = await redis.hgetall(productKeys(p).users)
  for (let user = 0; user < 20; user++) {
    const mine = results.filter((r) => r.user === user)
    const units = mine.filter((r) => r.res.ok).reduce((sum, r) => sum + r.qty, 0)
    t.ok(units <= 5, `user ${user} holds at most 5 (${units})`)
    t.equal(Number(held[String(user)]), units)
    const refusals = mine.filter((r) => !r.res.ok)
    t.ok(
      refusals.every((r) => !r.res.ok && r.res.reason === 'per_user_limit' && units + r.qty > 5),
      `user ${user}: every refusal would have exceeded the limit`,
    )
  }
  const total = results.filter((r) => r.res.ok).reduce((sum, r) => sum + r.qty, 0)
  t.equal(await fixture.store.available(p), 10_000 - total)
})

t.test('restocks during a sale are all sold, none lost or doubled', async (t) => {
  const p = 3
  await fixture.store.create(p, { stock: 100, priceCents: 100, maxPerUser: 0 }, NOW)
  const reserves = Array.from({ length: 1_000 }, (_, i) => storeFor(i).reserve(p, `s${i}`, i, 1, TTL, NOW))
  // Ten restocks of 10 (supplied 110, 120, … 200), interleaved with the reserves on the same
  // connections and arriving in any order: each adds what the state does not include yet.
  const restocks = Array.from({ length: 10 }, (_, i) => storeFor(i).restock(p, 200 - 10 * i))
  const [results, restocked] = await Promise.all([Promise.all(reserves), Promise.all(restocks)])
  t.equal(
    restocked.reduce((sum, r) => sum + (r.status === 'applied' ? r.added : 0), 0),
    100,
    'the versions add up to exactly the restocked units',
  )
  const sold = results.filter((r) => r.ok).length
  t.equal(sold + (await fixture.store.available(p))!, 200)
  t.ok(sold >= 100)
  const tail = await Promise.all(
    Array.from({ length: 200 }, (_, i) => fixture.store.reserve(p, `t${i}`, 1, 1, TTL, NOW)),
  )
  t.equal(sold + tail.filter((r) => r.ok).length, 200)
  t.equal(await fixture.store.available(p), 0)
})

t.test('concurrent releases and reserves keep the books balanced', async (t) => {
  const p = 4
  await fixture.store.create(p, { stock: 50, priceCents: 100, maxPerUser: 0 }, NOW)
  await Promise.all(Array.from({ length: 50 }, (_, i) => fixture.store.reserve(p, `a${i}`, i, 1, TTL, NOW)))
  const ops = await Promise.all([
    ...Array.from({ length: 50 }, (_, i) => storeFor(i).release(p, `a${i}`, 1, i, NOW)),
    ...Array.from({ length: 100 }, (_, i) => storeFor(i).reserve(p, `b${i}`, 1000 + i, 1, TTL, NOW)),
  ])
  t.equal(ops.filter((r) => 'applied' in r && r.applied).length, 50)
  const newlyReserved = ops.filter((r) => 'ok' in r && r.ok).length
  t.ok(newlyReserved <= 50)
  const snap = await fixture.store.snapshot(p)
  t.equal(snap.available! + snap.reserved_units, 50)
  t.equal(snap.reserved_units, newlyReserved)
})
