import t from 'tap'
import { createProduct, createWorld, internal, post, reservationId, stockState, startApp } from './helpers.ts'

const world = await createWorld(t, 'inv-reserve-batch')
const app = await startApp(t, world.config())

const batch = (items: unknown[], headers: Record<string, string> = internal) =>
  post(app, '/internal/reservations/batch', { items }, headers)

t.test('a batch answers each of its items, in order', async (t) => {
  const plenty = await createProduct(app, world, { stock: 5, price_cents: 700, max_per_user: 2 })
  const scarce = await createProduct(app, world, { stock: 1 })
  const settledId = reservationId()
  // A reservation committed earlier: reserving it again cannot revive it.
  await batch([{ reservation_id: settledId, product_id: plenty, user_id: 9, quantity: 1 }])
  await post(
    app,
    '/internal/reservations/settle',
    {
      items: [{ reservation_id: settledId, product_id: plenty, user_id: 9, quantity: 1, outcome: 'commit' }],
    },
    internal,
  )
  const twice = reservationId()
  const items = [
    { reservation_id: reservationId(), product_id: plenty, user_id: 1, quantity: 2 },
    { reservation_id: reservationId(), product_id: plenty, user_id: 1, quantity: 1 }, // over max_per_user
    { reservation_id: reservationId(), product_id: scarce, user_id: 2, quantity: 2 }, // more than left
    { reservation_id: reservationId(), product_id: 999_999, user_id: 2, quantity: 1 },
    { reservation_id: settledId, product_id: plenty, user_id: 9, quantity: 1 },
    { reservation_id: twice, product_id: scarce, user_id: 3, quantity: 1 },
    { reservation_id: twice, product_id: scarce, user_id: 3, quantity: 1 }, // the same id again: a replay
  ]
  const res = await batch(items)
  t.equal(res.statusCode, 200, res.body)
  const { results } = res.json()
  t.equal(results.length, items.length, 'one result per item')
  t.match(results[0], { ok: true, reservation_id: items[0]!.reservation_id, unit_price_cents: 700 })
  t.same(results[1], { ok: false, reason: 'per_user_limit' })
  t.same(results[2], { ok: false, reason: 'out_of_stock' })
  t.same(results[3], { ok: false, reason: 'product_not_found' })
  t.same(results[4], { ok: false, reason: 'reservation_settled' })
  t.match(results[5], { ok: true, reservation_id: twice })
  t.same(results[6], results[5], 'a repeated id answers what its first reserve did')

  t.match(await stockState(app, plenty), { redis: { available: 2, reservations: 1, reserved_units: 2 } })
  t.match(
    await stockState(app, scarce),
    { redis: { available: 0, reservations: 1, reserved_units: 1 } },
    'the repeated id took one unit, not two',
  )
})

t.test('a batch is refused whole without the credential or with a malformed item', async (t) => {
  const id = await createProduct(app, world, { stock: 3 })
  const item = { reservation_id: reservationId(), product_id: id, user_id: 1, quantity: 1 }
  t.equal((await batch([item], { authorization: 'Bearer wrong-token-0123456789' })).statusCode, 401)
  const bad = await batch([item, { ...item, reservation_id: reservationId(), quantity: 0 }])
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { code: 'validation_failed' })
  t.equal((await batch([])).statusCode, 400, 'empty')
  t.equal((await batch(Array.from({ length: 101 }, () => item))).statusCode, 400, 'over 100 items')
  t.match(await stockState(app, id), { redis: { available: 3, reservations: 0 } }, 'nothing reserved')
})

t.test('a cold product in a batch is warmed once and reserved', async (t) => {
  const id = await createProduct(app, world, { stock: 4 })
  await world.dropState(id)
  const items = Array.from({ length: 3 }, (_, i) => ({
    reservation_id: reservationId(),
    product_id: id,
    user_id: 10 + i,
    quantity: 1,
  }))
  const res = await batch(items)
  t.equal(res.statusCode, 200)
  t.ok(
    res.json().results.every((r: { ok: boolean }) => r.ok),
    'every item reserved',
  )
  t.match(await stockState(app, id), { redis: { available: 1, reservations: 3 } })
})
