import t from 'tap'
import { createProduct, createWorld, newBuyer, order, startApp } from './helpers.ts'

// Issue 15 item 1: one buyer sending 60 orders in a burst is stopped at the documented default
// (USER_RATE_LIMIT_MAX 20 per 10 s), with Retry-After and the IETF RateLimit headers.
const world = await createWorld(t, 'orders-throttle')
const app = await startApp(t, world.config({ USER_RATE_LIMIT_MAX: '', USER_RATE_LIMIT_WINDOW_SECONDS: '' }))

t.test('60 orders from one buyer: 20 answered, 40 refused with 429', async (t) => {
  const product = await createProduct(world, { stock: 1_000, price: 100 })
  const buyer = await newBuyer(world)
  const answers = []
  for (let i = 0; i < 60; i++) answers.push(await order(app, buyer, { product_id: product, quantity: 1 }))
  const accepted = answers.filter((a) => a.statusCode === 202)
  const refused = answers.filter((a) => a.statusCode === 429)
  t.equal(accepted.length, 20)
  t.equal(refused.length, 40)
  t.match(refused[0]!.json(), { code: 'rate_limited' })
  t.ok(Number(refused[0]!.headers['retry-after']) >= 1)
  t.equal(refused[0]!.headers['ratelimit-policy'], '"user";q=20;w=10')
  t.match(accepted[0]!.headers.ratelimit, /^"user";r=19;t=\d+$/)
  const another = await newBuyer(world)
  t.equal((await order(app, another, { product_id: product, quantity: 1 })).statusCode, 202)
})
