import { TcpProxy, TEST_REDIS_URL, eventually } from '@flash/test-kit'
import type { Test } from 'tap'
import t from 'tap'
import { createProduct, createWorld, newBuyer, order, startApp } from './helpers.ts'

// Redis unreachable for order-service and inventory-service alike (one TCP proxy in front of it for
// both): a buyer gets 503 + Retry-After from every request-path wait on Redis, not a request that
// hangs until Redis is back.
const redisAddress = new URL(TEST_REDIS_URL)
const proxy = await TcpProxy.start({ host: redisAddress.hostname, port: Number(redisAddress.port || 6379) })
t.teardown(() => proxy.close())
const viaProxy = { REDIS_URL: proxy.url(TEST_REDIS_URL), REDIS_COMMAND_TIMEOUT_MS: '200' }
const world = await createWorld(t, 'redis-outage', viaProxy)
const app = await startApp(t, world.config(viaProxy))
const product = await createProduct(world, { stock: 100 })
const buyer = await newBuyer(world)
const body = { product_id: product, quantity: 1 }

let outage = 0
const expectUnavailable = async (t: Test, label: string) => {
  outage += 1
  const keyed = await order(app, buyer, body, { 'idempotency-key': `outage-${label}-${outage}` })
  t.equal(keyed.statusCode, 503, `${label}: an order with an Idempotency-Key is answered`)
  t.equal(keyed.headers['retry-after'], '1')
  t.equal(keyed.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.equal(keyed.json().code, 'dependency_unavailable')
  const plain = await order(app, buyer, body)
  t.equal(plain.statusCode, 503, `${label}: an order without a key is answered (inventory's Redis wait)`)
  t.equal(plain.headers['retry-after'], '1')
}

const healed = async (t: Test, label: string) => {
  proxy.resume()
  t.ok(
    await eventually(
      async () =>
        (await order(app, buyer, body, { 'idempotency-key': `after-${outage}` })).statusCode === 202,
      100,
      100,
    ),
    'orders are accepted again once Redis answers',
  )
  // The 503 promised that nothing was placed, so the buyer's retry with the same key must be served
  // as soon as Redis is back — not refused as "in flight" until the lease (15 s) of a claim that a
  // command sent while Redis was away left behind. Bounded well under the lease.
  let retried = 0
  t.ok(
    await eventually(
      async () => {
        retried = (await order(app, buyer, body, { 'idempotency-key': `outage-${label}-${outage}` }))
          .statusCode
        return retried === 202
      },
      40,
      100,
    ),
    `the retry of the refused key is placed once Redis answers (last answer ${retried})`,
  )
}

t.test('Redis stops answering (connections open, nothing comes back)', async (t) => {
  t.equal((await order(app, buyer, body, { 'idempotency-key': 'before' })).statusCode, 202)
  proxy.stall()
  t.teardown(() => proxy.resume())
  await expectUnavailable(t, 'stalled')
  await healed(t, 'stalled')
})

t.test('Redis refuses connections (down, restarting)', async (t) => {
  proxy.cut()
  t.teardown(() => proxy.resume())
  await expectUnavailable(t, 'cut')
  await healed(t, 'cut')
})
