import t from 'tap'
import { productKeys, StockStore } from '../../src/stock/index.ts'
import { stockFixture } from './helpers.ts'

const NOW = 1_800_000_000_000
const TTL = 60_000
const { store, redis } = stockFixture(t)

t.test('reserve until sold out', async (t) => {
  await store.create(1, { stock: 5, priceCents: 1999, maxPerUser: 0 }, NOW)
  t.same(await store.reserve(1, 'r1', 10, 2, TTL, NOW), {
    ok: true,
    price_cents: 1999,
    available: 3,
    expires_at_ms: NOW + TTL,
    replayed: false,
  })
  t.match(await store.reserve(1, 'r2', 11, 3, TTL, NOW), { ok: true, available: 0 })
  t.same(await store.reserve(1, 'r3', 12, 1, TTL, NOW), { ok: false, reason: 'out_of_stock', available: 0 })
  t.equal(await store.available(1), 0)
  t.match(await store.snapshot(1), { available: 0, reservations: 2, reserved_units: 5, user_units: 5 })
})

t.test('a request larger than what is left is refused whole, smaller ones still fit', async (t) => {
  await store.create(2, { stock: 4, priceCents: 100, maxPerUser: 0 }, NOW)
  t.match(await store.reserve(2, 'a', 1, 3, TTL, NOW), { ok: true, available: 1 })
  t.same(await store.reserve(2, 'b', 1, 2, TTL, NOW), { ok: false, reason: 'out_of_stock', available: 1 })
  t.equal(await store.available(2), 1)
  t.match(await store.reserve(2, 'c', 2, 1, TTL, NOW), { ok: true, available: 0 })
})

t.test('re-reserving the same id returns the first answer without deducting twice', async (t) => {
  await store.create(3, { stock: 10, priceCents: 500, maxPerUser: 0 }, NOW)
  const first = await store.reserve(3, 'same', 7, 4, TTL, NOW)
  const again = await store.reserve(3, 'same', 7, 4, TTL, NOW + 5_000)
  t.match(first, { ok: true, available: 6, replayed: false, expires_at_ms: NOW + TTL })
  t.match(again, { ok: true, available: 6, replayed: true, expires_at_ms: NOW + TTL })
  // Even once sold out, the replay is still a success.
  t.match(await store.reserve(3, 'other', 8, 6, TTL, NOW), { ok: true, available: 0 })
  t.match(await store.reserve(3, 'same', 7, 4, TTL, NOW), { ok: true, replayed: true })
  t.equal(await store.available(3), 0)
  t.equal(await redis.hget(productKeys(3).users, '7'), '4')
})

t.test('a settled reservation id cannot be reserved again', async (t) => {
  await store.create(4, { stock: 10, priceCents: 500, maxPerUser: 0 }, NOW)
  await store.reserve(4, 'c1', 1, 2, TTL, NOW)
  await store.commit(4, 'c1', NOW)
  await store.reserve(4, 'r1', 1, 3, TTL, NOW)
  await store.release(4, 'r1', 3, 1, NOW)
  t.match(await store.reserve(4, 'c1', 1, 2, TTL, NOW), { ok: false, reason: 'settled' })
  t.match(await store.reserve(4, 'r1', 1, 3, TTL, NOW), { ok: false, reason: 'settled' })
  t.equal(await store.available(4), 8)
})

t.test('per-user limit counts live and committed units, and frees released ones', async (t) => {
  await store.create(5, { stock: 100, priceCents: 500, maxPerUser: 3 }, NOW)
  t.match(await store.reserve(5, 'u1', 42, 2, TTL, NOW), { ok: true })
  t.same(await store.reserve(5, 'u2', 42, 2, TTL, NOW), {
    ok: false,
    reason: 'per_user_limit',
    available: 98,
  })
  await store.commit(5, 'u1', NOW)
  t.match(await store.reserve(5, 'u3', 42, 1, TTL, NOW), { ok: true })
  t.match(await store.reserve(5, 'u4', 42, 1, TTL, NOW), { ok: false, reason: 'per_user_limit' })
  await store.release(5, 'u3', 1, 42, NOW)
  t.match(await store.reserve(5, 'u5', 42, 1, TTL, NOW), { ok: true })
  // Other users are not affected; a single request above the limit is refused.
  t.match(await store.reserve(5, 'v1', 43, 3, TTL, NOW), { ok: true })
  t.match(await store.reserve(5, 'w1', 44, 4, TTL, NOW), { ok: false, reason: 'per_user_limit' })
  t.equal(await store.available(5), 94)
})

t.test('setMeta changes price and limit but keeps available; cold products are left alone', async (t) => {
  await store.create(6, { stock: 10, priceCents: 500, maxPerUser: 1 }, NOW)
  await store.reserve(6, 'm1', 1, 1, TTL, NOW)
  t.equal(await store.setMeta(6, { priceCents: 450 }), true)
  t.match(await store.reserve(6, 'm2', 1, 1, TTL, NOW), { ok: false, reason: 'per_user_limit' })
  t.equal(await store.setMeta(6, { maxPerUser: 0 }), true)
  t.match(await store.reserve(6, 'm3', 1, 1, TTL, NOW), { ok: true, price_cents: 450, available: 8 })
  t.equal(await store.setMeta(999, { priceCents: 1 }), false)
  t.equal(await redis.exists(productKeys(999).meta), 0)
})

t.test('create is idempotent: a retried create does not reset available', async (t) => {
  t.same(await store.create(7, { stock: 10, priceCents: 1, maxPerUser: 0 }, NOW), {
    created: true,
    available: 10,
  })
  await store.reserve(7, 'x', 1, 4, TTL, NOW)
  t.same(await store.create(7, { stock: 10, priceCents: 1, maxPerUser: 0 }, NOW), {
    created: false,
    available: 6,
  })
})

t.test('arguments are validated before reaching Redis', async (t) => {
  await t.rejects(store.reserve(8, 'x', 1, 0, TTL, NOW), RangeError)
  await t.rejects(store.reserve(8, 'x', 1, 1.5, TTL, NOW), RangeError)
  await t.rejects(store.reserve(8, '', 1, 1, TTL, NOW), RangeError)
  await t.rejects(store.reserve('8}x', 'x', 1, 1, TTL, NOW), TypeError)
  await t.rejects(store.restock(8, -1), RangeError)
  await t.rejects(store.restock(8, 1.5), RangeError)
})

t.test('several stores may share one client (commands are defined once)', async (t) => {
  const other = new StockStore(redis)
  await other.create(9, { stock: 2, priceCents: 1, maxPerUser: 0 }, NOW)
  t.match(await store.reserve(9, 'a', 1, 1, TTL, NOW), { ok: true, available: 1 })
  t.match(await other.reserve(9, 'a', 1, 1, TTL, NOW), { ok: true, available: 1, replayed: true })
})
