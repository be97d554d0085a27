import t from 'tap'
import {
  bearer,
  createProduct,
  createWorld,
  internal,
  post,
  reservationId,
  reserve,
  startApp,
  stockState,
} from './helpers.ts'

const world = await createWorld(t, 'inv-reserve')
const app = await startApp(t, world.config({ RESERVATION_TTL_SECONDS: '120' }))

const settle = (items: unknown[], headers = internal) =>
  post(app, '/internal/reservations/settle', { items }, headers)

t.test('reserve → commit / release over HTTP', async (t) => {
  const id = await createProduct(app, world, { stock: 5, price_cents: 1999 })
  const a = reservationId()
  const before = Date.now()
  const res = await reserve(app, { product_id: id, user_id: 1, quantity: 2, reservation_id: a })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.match(body, { ok: true, reservation_id: a, unit_price_cents: 1999 })
  const expires = Date.parse(body.expires_at)
  t.ok(
    expires >= before + 120_000 && expires <= Date.now() + 120_000,
    'expires_at = now + RESERVATION_TTL_SECONDS',
  )
  const replay = await reserve(app, { product_id: id, user_id: 1, quantity: 2, reservation_id: a })
  t.same(replay.json(), body, 'a retried reserve answers the same and deducts nothing')
  t.match(await stockState(app, id), { redis: { available: 3, reservations: 1, reserved_units: 2 } })

  const b = reservationId()
  await reserve(app, { product_id: id, user_id: 2, quantity: 1, reservation_id: b })
  const items = [
    { reservation_id: a, product_id: id, user_id: 1, quantity: 2, outcome: 'commit' },
    { reservation_id: b, product_id: id, user_id: 2, quantity: 1, outcome: 'release' },
  ]
  const first = await settle(items)
  t.equal(first.statusCode, 200)
  t.same(first.json(), {
    results: [
      { reservation_id: a, status: 'applied' },
      { reservation_id: b, status: 'applied' },
    ],
  })
  t.same(
    (await settle(items)).json().results.map((r: { status: string }) => r.status),
    ['noop', 'noop'],
    'settle is idempotent',
  )
  t.same(
    (await settle([{ ...items[0], outcome: 'release' }])).json().results[0].status,
    'noop',
    'a release after a commit does nothing',
  )
  t.match(await stockState(app, id), { redis: { available: 3, reservations: 0, reserved_units: 0 } })
  const late = await reserve(app, { product_id: id, user_id: 2, quantity: 1, reservation_id: b })
  t.same(
    late.json(),
    { ok: false, reason: 'reservation_settled' },
    'a settled reservation cannot be reserved again',
  )
})

t.test('out_of_stock and per_user_limit', async (t) => {
  const id = await createProduct(app, world, { stock: 3, max_per_user: 2 })
  t.same((await reserve(app, { product_id: id, user_id: 1, quantity: 3 })).json(), {
    ok: false,
    reason: 'per_user_limit',
  })
  t.equal((await reserve(app, { product_id: id, user_id: 1, quantity: 2 })).json().ok, true)
  t.same((await reserve(app, { product_id: id, user_id: 1, quantity: 1 })).json(), {
    ok: false,
    reason: 'per_user_limit',
  })
  t.same((await reserve(app, { product_id: id, user_id: 2, quantity: 2 })).json(), {
    ok: false,
    reason: 'out_of_stock',
  })
  t.equal((await reserve(app, { product_id: id, user_id: 2, quantity: 1 })).json().ok, true)
  t.same((await reserve(app, { product_id: id, user_id: 3, quantity: 1 })).json(), {
    ok: false,
    reason: 'out_of_stock',
  })
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(metrics, /inventory_reserves_total\{outcome="per_user_limit"[^}]*\} 2/)
  t.match(metrics, /inventory_reserves_total\{outcome="out_of_stock"[^}]*\} 2/)
})

t.test('unknown product: the item answers product_not_found', async (t) => {
  const res = await reserve(app, { product_id: 987_654, user_id: 1, quantity: 1 })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { ok: false, reason: 'product_not_found' })
  t.equal(
    (await app.inject({ method: 'GET', url: '/internal/products/987654/stock-state', headers: internal }))
      .statusCode,
    404,
  )
})

t.test('the service credential is required (401), user tokens are not one', async (t) => {
  const id = await createProduct(app, world, { stock: 1 })
  const body = { reservation_id: reservationId(), product_id: id, user_id: 1, quantity: 1 }
  const admin = bearer(await world.token('admin'))
  for (const headers of [
    {},
    { authorization: 'Bearer wrong-token-of-some-length' },
    admin,
    { authorization: internal.authorization.slice(7) },
  ]) {
    for (const [url, payload] of [
      ['/internal/reservations/batch', { items: [body] }],
      ['/internal/reservations/settle', { items: [{ ...body, outcome: 'release' }] }],
    ] as const) {
      const res = await post(app, url, payload, headers)
      t.equal(res.statusCode, 401, `${url} ${JSON.stringify(headers).slice(0, 40)}`)
      t.equal(res.json().code, 'unauthorized')
    }
    const state = await app.inject({ method: 'GET', url: `/internal/products/${id}/stock-state`, headers })
    t.equal(state.statusCode, 401)
  }
  t.match(
    await stockState(app, id),
    { redis: { available: 1, reservations: 0, tombstones: 0 } },
    'nothing happened',
  )
})

t.test('invalid reserve/settle bodies are 400 and change nothing', async (t) => {
  const id = await createProduct(app, world, { stock: 10 })
  const ok = { reservation_id: reservationId(), product_id: id, user_id: 1, quantity: 1 }
  for (const body of [
    { ...ok, quantity: 0 },
    { ...ok, quantity: 101 },
    { ...ok, quantity: '1' },
    { ...ok, reservation_id: 'not-a-uuid' },
    { ...ok, product_id: 0 },
    { ...ok, user_id: -1 },
    { ...ok, extra: 1 },
    { product_id: id, user_id: 1, quantity: 1 },
  ]) {
    const res = await post(app, '/internal/reservations/batch', { items: [body] }, internal)
    t.equal(res.statusCode, 400, JSON.stringify(body))
  }
  for (const items of [
    [],
    [{ ...ok, outcome: 'maybe' }],
    Array.from({ length: 101 }, () => ({ ...ok, outcome: 'release' })),
  ]) {
    t.equal((await settle(items)).statusCode, 400)
  }
  t.match(await stockState(app, id), { redis: { available: 10, reservations: 0, tombstones: 0 } })
})

t.test('1,000 concurrent HTTP reserves on stock 100: exactly 100 succeed', async (t) => {
  const id = await createProduct(app, world, { stock: 100 })
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  const results = await Promise.all(
    Array.from({ length: 1_000 }, async (_, i) => {
      // One reservation per call (a batch of one), each its own HTTP request racing the others.
      const res = await fetch(`${base}/internal/reservations/batch`, {
        method: 'POST',
        headers: { ...internal, 'content-type': 'application/json' },
        body: JSON.stringify({
          items: [{ reservation_id: reservationId(), product_id: id, user_id: 1 + i, quantity: 1 }],
        }),
      })
      const answer = (await res.json()) as { results?: { ok: boolean; reason?: string }[] }
      return {
        status: res.status,
        body: answer.results?.[0] ?? { ok: false, reason: JSON.stringify(answer) },
      }
    }),
  )
  const statuses = new Map<number, number>()
  for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1)
  const bad = results.find((r) => r.status !== 200)
  if (bad) t.comment(JSON.stringify(bad.body))
  t.same(Object.fromEntries(statuses), { 200: 1_000 }, 'every request answered 200')
  t.equal(results.filter((r) => r.body.ok).length, 100)
  t.ok(results.filter((r) => !r.body.ok).every((r) => r.body.reason === 'out_of_stock'))
  t.match(await stockState(app, id), { redis: { available: 0, reservations: 100, reserved_units: 100 } })
})
