import t from 'tap'
import { bearer, createWorld, post, startApp } from './helpers.ts'

// Issue 15 item 8: who may call a route is decided before what they sent is validated, so an
// anonymous caller learns nothing about a protected route's schema.
const world = await createWorld(t, 'inv-authorize-first')
const app = await startApp(t, world.config())
const invalid = { name: '', price_cents: 'lots', extra: true }

t.test('admin routes: anonymous → 401, customer → 403, before any validation', async (t) => {
  for (const url of ['/api/products', '/api/products/1/restock', '/api/products/0x1/restock']) {
    const anonymous = await post(app, url, invalid)
    t.equal(anonymous.statusCode, 401, `anonymous ${url}`)
    t.equal(anonymous.json().errors, undefined, 'no schema errors listed')
    const customer = await post(app, url, invalid, bearer(await world.token('customer')))
    t.equal(customer.statusCode, 403, `customer ${url}`)
    t.equal(customer.json().errors, undefined)
  }
  for (const url of ['/api/products/1', '/api/products/0x1']) {
    const patch = (headers: Record<string, string>) =>
      app.inject({
        method: 'PATCH',
        url,
        headers: { 'content-type': 'application/json', ...headers },
        payload: JSON.stringify({ sale_starts_at: 'soon', extra: true }),
      })
    const anonymous = await patch({})
    t.equal(anonymous.statusCode, 401, `anonymous PATCH ${url}`)
    t.equal(anonymous.json().errors, undefined, 'no schema errors listed')
    const customer = await patch(bearer(await world.token('customer')))
    t.equal(customer.statusCode, 403, `customer PATCH ${url}`)
    t.equal(customer.json().errors, undefined)
  }
})

t.test('/internal/* without the service credential → 401 before validation', async (t) => {
  for (const url of ['/internal/reservations/batch', '/internal/reservations/settle']) {
    const res = await post(app, url, invalid)
    t.equal(res.statusCode, 401, url)
    t.equal(res.json().errors, undefined)
  }
  const state = await app.inject({ url: '/internal/products/abc/stock-state' })
  t.equal(state.statusCode, 401, 'params are not validated for an anonymous caller either')
})
