import { INVENTORY_EVENTS_CHANNEL } from '@flash/contracts'
import { createRedis } from '@flash/service-kit'
import { TEST_REDIS_URL } from '@flash/test-kit'
import t from 'tap'
import { bearer, createProduct, createWorld, post, reserve, startApp } from './helpers.ts'

const world = await createWorld(t, 'inv-products')
const app = await startApp(t, world.config({ PRODUCT_CACHE_MS: '60000' }))
const admin = bearer(await world.token('admin'))
const customer = bearer(await world.token('customer'))

t.test('create, read, and list with cursor pagination', async (t) => {
  const created = await post(
    app,
    '/api/products',
    { name: ' Phone ', price_cents: 49_900, stock: 7, max_per_user: 2 },
    admin,
  )
  t.equal(created.statusCode, 201)
  const product = created.json()
  t.match(product, { id: Number, name: 'Phone', price_cents: 49_900, stock: 7, max_per_user: 2 })
  t.equal(created.headers.location, `/api/products/${product.id}`)
  const row = await world.db
    .selectFrom('products')
    .selectAll()
    .where('id', '=', product.id)
    .executeTakeFirstOrThrow()
  t.match(row, { stock: 7, supplied: 7, max_per_user: 2 }, 'MySQL: supplied starts as the initial stock')

  const one = await app.inject({ method: 'GET', url: `/api/products/${product.id}` })
  t.equal(one.statusCode, 200)
  t.same(one.json(), product)

  const ids = [product.id]
  for (let i = 0; i < 4; i++) ids.push(await createProduct(app, world, { name: `P${i}`, stock: i }))
  const seen: number[] = []
  let cursor: string | null = null
  for (let page = 0; page < 10; page++) {
    const url: string = `/api/products?limit=2${cursor ? `&cursor=${cursor}` : ''}`
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 200)
    const body = res.json()
    t.ok(body.data.length <= 2)
    seen.push(...body.data.map((p: { id: number }) => p.id))
    cursor = body.next_cursor
    if (!cursor) break
  }
  t.same(seen, ids, 'every product once, in id order, and no empty last page')
  const all = (await app.inject({ method: 'GET', url: '/api/products?limit=100' })).json()
  t.same(
    all.data.map((p: { stock: number }) => p.stock),
    [7, 0, 1, 2, 3],
  )
  t.equal(all.next_cursor, null)
})

t.test('stock is live while name/price come from the cache', async (t) => {
  const id = await createProduct(app, world, { stock: 5 })
  t.equal((await app.inject({ method: 'GET', url: `/api/products/${id}` })).json().stock, 5)
  await world.db
    .updateTable('products')
    .set({ name: 'Renamed behind our back' })
    .where('id', '=', id)
    .execute()
  t.equal((await reserve(app, { product_id: id, user_id: 9, quantity: 2 })).json().ok, true)
  const res = (await app.inject({ method: 'GET', url: `/api/products/${id}` })).json()
  t.match(res, { name: 'Widget', stock: 3 }, 'cached name (PRODUCT_CACHE_MS), live stock')
  // Cold product (state lost): the read warms it up from MySQL.
  await world.dropState(id)
  t.equal(
    (await app.inject({ method: 'GET', url: `/api/products/${id}` })).json().stock,
    5,
    'MySQL has no pending order: 5',
  )
})

t.test('restock adds to MySQL and Redis and announces it', async (t) => {
  const id = await createProduct(app, world, { stock: 1 })
  const sub = createRedis({ url: TEST_REDIS_URL, keyPrefix: '' })
  t.teardown(() => sub.disconnect())
  const events: unknown[] = []
  sub.on('message', (_channel: string, message: string) => events.push(JSON.parse(message)))
  await sub.subscribe(`${world.prefix}${INVENTORY_EVENTS_CHANNEL}`)
  t.equal((await reserve(app, { product_id: id, user_id: 3, quantity: 1 })).json().ok, true)
  const res = await post(app, `/api/products/${id}/restock`, { quantity: 4 }, admin)
  t.equal(res.statusCode, 200)
  t.match(res.json(), { id, stock: 4 }, 'available = 1 + 4 − 1 reserved')
  t.match(await world.db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst(), {
    stock: 5,
    supplied: 5,
  })
  for (let i = 0; i < 100 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
  t.same(events, [{ type: 'restocked', product_id: id }])
  t.equal(
    (await post(app, '/api/products/999999/restock', { quantity: 1 }, admin)).json().code,
    'product_not_found',
  )
})

// Issue 6, item 9: products.stock is a signed 32-bit column, and create and restock each accept 10^9.
t.test('a restock that would overflow stock is a 422 and changes nothing', async (t) => {
  const id = await createProduct(app, world, { stock: 1_000_000_000 })
  t.equal(
    (await post(app, `/api/products/${id}/restock`, { quantity: 1_000_000_000 }, admin)).statusCode,
    200,
  )
  const res = await post(app, `/api/products/${id}/restock`, { quantity: 1_000_000_000 }, admin)
  t.equal(res.statusCode, 422)
  t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(res.json(), { status: 422, code: 'stock_limit_exceeded' })
  t.match(await world.db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst(), {
    stock: 2_000_000_000,
    supplied: 2_000_000_000,
  })
  t.match((await app.inject({ method: 'GET', url: `/api/products/${id}` })).json(), { stock: 2_000_000_000 })
})

t.test('admin only: 401 without a valid token, 403 for customers; nothing written', async (t) => {
  const before = await world.db
    .selectFrom('products')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  const body = { name: 'X', price_cents: 1, stock: 1 }
  const cases = [
    [{}, 401, 'unauthorized'],
    [{ authorization: 'Bearer not.a.jwt' }, 401, 'unauthorized'],
    [customer, 403, 'forbidden'],
  ] as const
  for (const [headers, status, code] of cases) {
    for (const url of ['/api/products', '/api/products/1/restock']) {
      const res = await post(app, url, url.endsWith('restock') ? { quantity: 1 } : body, headers)
      t.equal(res.statusCode, status, `${url} ${code}`)
      t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
      t.equal(res.json().code, code)
    }
  }
  const after = await world.db
    .selectFrom('products')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  t.equal(Number(after.n), Number(before.n))
})

t.test('bad input is a 4xx problem, never a 5xx, and writes nothing', async (t) => {
  const id = await createProduct(app, world, { stock: 3 })
  const before = await world.db.selectFrom('products').selectAll().orderBy('id').execute()
  const bad: [string, unknown, number][] = [
    ['/api/products', { name: '', price_cents: 1, stock: 1 }, 400],
    ['/api/products', { name: '   ', price_cents: 1, stock: 1 }, 400],
    ['/api/products', { name: 'x', price_cents: -1, stock: 1 }, 400],
    ['/api/products', { name: 'x', price_cents: 1, stock: 1.5 }, 400],
    ['/api/products', { name: 'x', price_cents: '1', stock: 1 }, 400],
    ['/api/products', { name: 'x', price_cents: 1, stock: -1 }, 400],
    ['/api/products', { name: 'x', price_cents: 1, stock: 1, max_per_user: 0 }, 400],
    ['/api/products', { name: 'x', price_cents: 1, stock: 1, extra: true }, 400],
    ['/api/products', { name: 'x'.repeat(201), price_cents: 1, stock: 1 }, 400],
    ['/api/products', { name: 'x', price_cents: 1, stock: 2_000_000_000 }, 400],
    [`/api/products/${id}/restock`, { quantity: 0 }, 400],
    [`/api/products/${id}/restock`, { quantity: 2_000_000_000 }, 400],
    [`/api/products/${id}/restock`, {}, 400],
    ['/api/products/abc/restock', { quantity: 1 }, 400],
    ['/api/products/0/restock', { quantity: 1 }, 400],
    ['/api/products', { name: 'x', price_cents: 1, stock: 1, pad: 'y'.repeat(20_000) }, 413],
  ]
  for (const [url, body, status] of bad) {
    const res = await post(app, url, body, admin)
    t.equal(res.statusCode, status, `${url} ${JSON.stringify(body).slice(0, 60)}`)
    t.equal(res.json().status, status)
  }
  const raw = await app.inject({
    method: 'POST',
    url: '/api/products',
    headers: { ...admin, 'content-type': 'application/json' },
    payload: '{"name":',
  })
  t.equal(raw.statusCode, 400)
  const text = await app.inject({
    method: 'POST',
    url: '/api/products',
    headers: { ...admin, 'content-type': 'text/plain' },
    payload: 'hi',
  })
  t.equal(text.statusCode, 415)
  for (const url of [
    '/api/products?limit=0',
    '/api/products?limit=101',
    '/api/products?cursor=zzz',
    '/api/products/x',
    '/api/products/-5',
  ]) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 400, url)
    t.equal(res.json().code, 'validation_failed')
  }
  t.same(await world.db.selectFrom('products').selectAll().orderBy('id').execute(), before, 'nothing written')
  t.equal(
    await world.redis.exists(`inv:{p:${id + 1}}:available`),
    0,
    'no Redis state for a product never created',
  )
})

t.test('unknown product: 404 problem', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/api/products/424242' })
  t.equal(res.statusCode, 404)
  t.match(res.json(), { code: 'product_not_found', status: 404 })
})

t.test('health, readiness, metrics and the OpenAPI document', async (t) => {
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
  const ready = await app.inject({ method: 'GET', url: '/ready' })
  t.same(ready.json(), { status: 'ready', checks: { mysql: 'up', redis: 'up', revocations: 'up' } })
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(metrics, /inventory_reserves_total\{outcome="ok"/)
  t.match(metrics, /inventory_warmups_total\{result="warmed"/)
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json()
  for (const path of ['/api/products', '/api/products/{id}', '/api/products/{id}/restock'])
    t.ok(doc.paths[path], path)
  t.same(doc.paths['/internal/reservations/batch'].post.tags, ['internal'])
  t.notOk(doc.paths['/internal/reservations'], 'one way to reserve: the batch endpoint')
  t.same(doc.paths['/api/products'].post.security, [{ bearer: [] }])
})
