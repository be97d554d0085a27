import type { AddressInfo } from 'node:net'
import t from 'tap'
import { StockStore } from '../src/stock/index.ts'
import { bearer, createProduct, createWorld, post, reserve, startApp, stockState } from './helpers.ts'

// Scheduled sales on inventory's side: the window rules of POST/PATCH /api/products, the window in the
// Redis state (reserve.lua compares it with Redis TIME, so every instance opens at the same instant),
// the warm-up carrying it, the pre-warm before the opening, and the Date header.
const world = await createWorld(t, 'inv-sale-window')
const config = world.config({ PRODUCT_CACHE_MS: '0', SALE_PREWARM_SECONDS: '60' })
const app = await startApp(t, config, { prewarm: false })
const other = await startApp(t, config, { prewarm: false })
const admin = bearer(await world.token('admin'))
const customer = bearer(await world.token('customer'))
const clock = new StockStore(world.redis)

const iso = (ms: number) => new Date(ms).toISOString()
const redisNow = () => clock.serverTimeMs()
const sleepUntil = async (ms: number) => {
  for (let now = await redisNow(); now < ms; now = await redisNow()) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(200, ms - now + 5)))
  }
}
const patch = (id: number, body: unknown, headers: Record<string, string> = admin) =>
  app.inject({
    method: 'PATCH',
    url: `/api/products/${id}`,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(body),
  })
const row = (id: number) =>
  world.db
    .selectFrom('products')
    .select(['stock', 'supplied', 'max_per_user', 'sale_starts_at', 'sale_ends_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
const countProducts = async () =>
  Number(
    (
      await world.db
        .selectFrom('products')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

t.test('a product is created with its window, and shows it', async (t) => {
  const starts = (await redisNow()) + 3_600_000
  const res = await post(
    app,
    '/api/products',
    {
      name: 'Later',
      price_cents: 100,
      stock: 5,
      sale_starts_at: iso(starts),
      sale_ends_at: iso(starts + 60_000),
    },
    admin,
  )
  t.equal(res.statusCode, 201)
  t.match(res.json(), { sale_starts_at: iso(starts), sale_ends_at: iso(starts + 60_000) })
  const shown = await app.inject({ method: 'GET', url: `/api/products/${res.json().id}` })
  t.same(shown.json(), res.json())
  // Any RFC 3339 offset in, UTC out.
  const offset = new Date(starts + 5 * 3_600_000).toISOString().replace('Z', '+05:00')
  const shifted = await post(
    app,
    '/api/products',
    { name: 'Offset', price_cents: 1, stock: 1, sale_starts_at: offset },
    admin,
  )
  t.equal(shifted.statusCode, 201)
  t.equal(shifted.json().sale_starts_at, iso(starts))
  const plain = await createProduct(app, world, { stock: 1 })
  t.match((await app.inject({ method: 'GET', url: `/api/products/${plain}` })).json(), {
    sale_starts_at: null,
    sale_ends_at: null,
  })
})

t.test('bad windows at creation are 4xx problems and create nothing', async (t) => {
  const now = await redisNow()
  const before = await countProducts()
  const cases: [unknown, number, string][] = [
    [{ sale_starts_at: iso(now - 60_000) }, 422, 'sale_window_invalid'],
    [{ sale_starts_at: iso(now + 60_000), sale_ends_at: iso(now + 30_000) }, 422, 'sale_window_invalid'],
    [{ sale_starts_at: iso(now + 60_000), sale_ends_at: iso(now + 60_000) }, 422, 'sale_window_invalid'],
    [{ sale_ends_at: iso(now - 1_000) }, 422, 'sale_window_invalid'],
    [{ sale_starts_at: 'tomorrow at eight' }, 400, 'validation_failed'],
    [{ sale_starts_at: '2026-12-24T20:00:00' }, 400, 'validation_failed'],
    [{ sale_starts_at: 1_800_000_000 }, 400, 'validation_failed'],
  ]
  for (const [window, status, code] of cases) {
    const res = await post(
      app,
      '/api/products',
      { name: 'Bad', price_cents: 1, stock: 1, ...(window as object) },
      admin,
    )
    t.equal(res.statusCode, status, JSON.stringify(window))
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.equal(res.json().code, code)
  }
  t.equal(await countProducts(), before, 'no product was created')
})

t.test('PATCH rules: a scheduled sale moves freely; an open one keeps its start', async (t) => {
  const now = await redisNow()
  const id = await createProduct(app, world, { stock: 3 })
  // Without a window the product has been on sale since its creation: scheduling it now is a move.
  const plain = await patch(id, { sale_starts_at: iso(now + 60_000) })
  t.equal(plain.statusCode, 409)
  t.equal(plain.json().code, 'sale_already_open')
  t.equal((await row(id)).sale_starts_at, null, 'nothing changed')
  t.equal((await patch(id, { sale_ends_at: iso(now + 120_000) })).statusCode, 200, 'its end may be set')

  const later = (
    await post(
      app,
      '/api/products',
      { name: 'S', price_cents: 1, stock: 2, sale_starts_at: iso(now + 60_000) },
      admin,
    )
  ).json().id
  const moved = await patch(later, {
    sale_starts_at: iso(now + 90_000),
    sale_ends_at: iso(now + 150_000),
    max_per_user: 1,
  })
  t.equal(moved.statusCode, 200)
  t.match(moved.json(), {
    sale_starts_at: iso(now + 90_000),
    sale_ends_at: iso(now + 150_000),
    max_per_user: 1,
    stock: 2,
  })
  t.match(await row(later), { sale_starts_at: new Date(now + 90_000), max_per_user: 1 })
  const snapshot = await stockState(app, later)
  t.equal(snapshot.redis.max_per_user, 1, 'the limit reached the Redis state')

  const refusals: [unknown, number, string][] = [
    [{ sale_ends_at: iso(now + 80_000) }, 422, 'sale_window_invalid'],
    [{ sale_starts_at: iso(now - 1_000) }, 422, 'sale_window_invalid'],
    [{ sale_starts_at: iso(now + 200_000) }, 422, 'sale_window_invalid'],
    [{}, 400, 'validation_failed'],
    [{ stock: 5 }, 400, 'validation_failed'],
    [{ sale_starts_at: 'soon' }, 400, 'validation_failed'],
  ]
  const unchanged = await row(later)
  for (const [body, status, code] of refusals) {
    const res = await patch(later, body)
    t.equal(res.statusCode, status, JSON.stringify(body))
    t.equal(res.json().code, code)
  }
  t.same(await row(later), unchanged, 'no refusal changed the row')
  t.equal(
    (await patch(later, { sale_starts_at: iso(now + 90_000) })).statusCode,
    200,
    'an unchanged start is no move',
  )
  t.equal((await patch(999_999, { max_per_user: 2 })).statusCode, 404)
  t.equal((await patch(later, { max_per_user: 2 }, customer)).statusCode, 403)
  t.equal((await patch(later, { max_per_user: 2 }, {})).statusCode, 401)

  // Clearing the start opens the sale now.
  const opened = await patch(later, { sale_starts_at: null })
  t.equal(opened.statusCode, 200)
  t.equal(opened.json().sale_starts_at, null)
  t.match((await reserve(app, { product_id: later, user_id: 5, quantity: 1 })).json(), { ok: true })
  const again = await patch(later, { sale_starts_at: iso(now + 100_000) })
  t.equal(again.statusCode, 409, 'open now: the start cannot move back')
  t.equal((await row(later)).sale_starts_at, null)
})

t.test(
  'before the opening a reserve is refused on Redis TIME, reserves nothing, and every instance opens at the same instant',
  async (t) => {
    const far = (await redisNow()) + 3_600_000
    const res = await post(
      app,
      '/api/products',
      { name: 'Flash', price_cents: 100, stock: 1000, sale_starts_at: iso(far) },
      admin,
    )
    const id = res.json().id
    const refused = (await reserve(other, { product_id: id, user_id: 9, quantity: 1 })).json()
    t.match(refused, { ok: false, reason: 'sale_not_started', sale_starts_at: iso(far), sale_ends_at: null })
    t.ok(Date.parse(refused.checked_at) < far, 'checked on the clock that opens the sale')
    const quiet = await stockState(app, id)
    t.match(quiet.redis, { available: 1000, reservations: 0, user_units: 0 }, 'a refusal reserves nothing')
    // Brought forward (allowed: not open yet) to just ahead, through one instance; the other follows.
    const starts = (await redisNow()) + 1_500
    t.equal((await patch(id, { sale_starts_at: iso(starts) })).statusCode, 200)

    // Both instances reserve in a loop across the opening: every answer is decided by Redis TIME, so
    // no reservation on either instance was made before `starts`, and no refusal after it.
    const ttlMs = config.RESERVATION_TTL_SECONDS * 1000
    let user = 100
    const seen = { refused: 0, accepted: 0 }
    const loop = async (instance: typeof app) => {
      for (;;) {
        const answer = (await reserve(instance, { product_id: id, user_id: ++user, quantity: 1 })).json()
        if (answer.ok) {
          seen.accepted++
          t.ok(Date.parse(answer.expires_at) - ttlMs >= starts, 'reserved at or after the opening')
          return
        }
        seen.refused++
        t.equal(answer.reason, 'sale_not_started')
        t.ok(Date.parse(answer.checked_at) < starts, 'refused only before the opening')
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
    await Promise.all([loop(app), loop(other), loop(app), loop(other)])
    t.equal(seen.accepted, 4)
    t.match((await stockState(app, id)).redis, { available: 996, reservations: 4 })
  },
)

t.test('the window survives the loss of the Redis state (the warm-up reads it from MySQL)', async (t) => {
  const starts = (await redisNow()) + 3_600_000
  const id = (
    await post(
      app,
      '/api/products',
      { name: 'Lost', price_cents: 1, stock: 4, sale_starts_at: iso(starts) },
      admin,
    )
  ).json().id
  await world.dropState(id)
  t.match((await reserve(app, { product_id: id, user_id: 3, quantity: 1 })).json(), {
    ok: false,
    reason: 'sale_not_started',
  })
  t.match((await stockState(app, id)).redis, { available: 4, reservations: 0 })
})

t.test('after the end a reserve is refused sale_ended', async (t) => {
  const ends = (await redisNow()) + 800
  const id = (
    await post(
      app,
      '/api/products',
      { name: 'Short', price_cents: 1, stock: 4, sale_ends_at: iso(ends) },
      admin,
    )
  ).json().id
  await sleepUntil(ends)
  t.match((await reserve(other, { product_id: id, user_id: 4, quantity: 1 })).json(), {
    ok: false,
    reason: 'sale_ended',
    sale_ends_at: iso(ends),
  })
  // Reopened by moving the end: the end may change after the opening.
  const reopened = await patch(id, { sale_ends_at: iso((await redisNow()) + 60_000) })
  t.equal(reopened.statusCode, 200)
  t.match((await reserve(other, { product_id: id, user_id: 4, quantity: 1 })).json(), { ok: true })
})

t.test('a restock during an open scheduled sale adds units as before', async (t) => {
  const starts = (await redisNow()) + 500
  const id = (
    await post(
      app,
      '/api/products',
      { name: 'Restock', price_cents: 1, stock: 1, sale_starts_at: iso(starts) },
      admin,
    )
  ).json().id
  await sleepUntil(starts)
  const res = await post(app, `/api/products/${id}/restock`, { quantity: 5 }, admin)
  t.equal(res.statusCode, 200)
  t.match(res.json(), { stock: 6, sale_starts_at: iso(starts) })
  t.match(await row(id), { stock: 6, supplied: 6 })
})

t.test('the pre-warm makes the stock of a sale opening soon warm, and leaves later ones alone', async (t) => {
  const now = await redisNow()
  const soon = (
    await post(
      app,
      '/api/products',
      { name: 'Soon', price_cents: 1, stock: 7, sale_starts_at: iso(now + 30_000) },
      admin,
    )
  ).json().id
  const later = (
    await post(
      app,
      '/api/products',
      { name: 'Later', price_cents: 1, stock: 7, sale_starts_at: iso(now + 7_200_000) },
      admin,
    )
  ).json().id
  await world.dropState(soon)
  await world.dropState(later)
  t.ok((await app.prewarm.runOnce()) >= 1)
  t.equal((await stockState(app, soon)).redis.available, 7, 'warm before its opening')
  t.equal((await stockState(app, later)).redis.available, null, 'two hours away: still cold')
})

t.test('every answer carries Date, the server clock a client counts down with', async (t) => {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const id = await createProduct(app, world, { stock: 1 })
  for (const url of [`/api/products/${id}`, '/api/products/999999', '/api/products']) {
    const res = await fetch(`${base}${url}`)
    await res.arrayBuffer()
    t.ok(Number.isFinite(Date.parse(res.headers.get('date') ?? '')), `${url}: Date`)
  }
})
