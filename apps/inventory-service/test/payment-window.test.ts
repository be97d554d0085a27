import t from 'tap'
import { bearer, createWorld, post, startApp } from './helpers.ts'

// A product's own payment window (`payment_window_seconds`, which the finalizer prefers to the
// deployment's PAYMENT_WINDOW_SECONDS): set at creation or by the admin PATCH, 0…21600 or null, shown on
// the product page; a refused body changes nothing.
const world = await createWorld(t, 'inv-payment-window')
const app = await startApp(t, world.config({ PRODUCT_CACHE_MS: '0' }), { prewarm: false })
const admin = bearer(await world.token('admin'))
const customer = bearer(await world.token('customer'))

const patch = (id: number, body: unknown, headers: Record<string, string> = admin) =>
  app.inject({
    method: 'PATCH',
    url: `/api/products/${id}`,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(body),
  })
const stored = async (id: number) =>
  (
    await world.db
      .selectFrom('products')
      .select('payment_window_seconds')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).payment_window_seconds
const create = (body: Record<string, unknown>) =>
  post(app, '/api/products', { name: 'Windowed', price_cents: 100, stock: 3, ...body }, admin)

t.test('a product is created with its payment window, and shows it', async (t) => {
  const res = await create({ payment_window_seconds: 30 })
  t.equal(res.statusCode, 201)
  t.equal(res.json().payment_window_seconds, 30)
  t.equal(await stored(res.json().id), 30)
  const shown = await app.inject({ method: 'GET', url: `/api/products/${res.json().id}` })
  t.equal(shown.json().payment_window_seconds, 30)
  const plain = await create({})
  t.equal(plain.json().payment_window_seconds, null, 'none given: the deployment’s')
  const zero = await create({ payment_window_seconds: 0 })
  t.equal(zero.json().payment_window_seconds, 0, '0: orders complete at commit')
})

t.test('creation refuses a window out of range, and creates nothing', async (t) => {
  const before = await world.db
    .selectFrom('products')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
  for (const bad of [-1, 21_601, 1.5, '30']) {
    const res = await create({ payment_window_seconds: bad })
    t.equal(res.statusCode, 400, `${JSON.stringify(bad)} refused`)
    t.match(res.headers['content-type'], /application\/problem\+json/)
  }
  const after = await world.db
    .selectFrom('products')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
  t.equal(Number(after.n), Number(before.n))
})

t.test('PATCH sets, changes and clears the window; other fields stay', async (t) => {
  const id = (await create({ max_per_user: 2 })).json().id as number
  const set = await patch(id, { payment_window_seconds: 21_600 })
  t.equal(set.statusCode, 200)
  t.match(set.json(), { payment_window_seconds: 21_600, max_per_user: 2 })
  t.equal(await stored(id), 21_600)
  const limitOnly = await patch(id, { max_per_user: 3 })
  t.match(limitOnly.json(), { payment_window_seconds: 21_600, max_per_user: 3 }, 'left out: unchanged')
  const cleared = await patch(id, { payment_window_seconds: null })
  t.equal(cleared.json().payment_window_seconds, null)
  t.equal(await stored(id), null)
})

t.test('PATCH refuses a bad window or a customer, and changes nothing', async (t) => {
  const id = (await create({ payment_window_seconds: 60 })).json().id as number
  for (const bad of [-5, 21_601, 'soon', 2.5]) {
    const res = await patch(id, { payment_window_seconds: bad })
    t.equal(res.statusCode, 400, `${JSON.stringify(bad)} refused`)
  }
  t.equal((await patch(id, { payment_window_seconds: 5 }, customer)).statusCode, 403)
  t.equal(await stored(id), 60)
})
