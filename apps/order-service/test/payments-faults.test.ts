import { TcpProxy } from '@flash/test-kit'
import t from 'tap'
import { createProduct, createWorld, newBuyer, startApp } from './helpers.ts'
import {
  awaitingOrder,
  deliver,
  paymentEvent,
  paymentsOf,
  statusOf,
  WEBHOOK_SECRET,
} from './payment-fixtures.ts'

// The webhook's MySQL conversation loses a reply (the connection breaks with the transaction open): the
// provider must not get a 2xx for a payment that may not be recorded, and its retry of the same event
// must converge on exactly one recorded payment. (The proxy loses the transaction's first reply; a reply
// lost after COMMIT is the duplicate path: the retry finds the event recorded, payments.test.ts.)
const world = await createWorld(t, 'payments-faults')
const mysql = new URL(world.env.DATABASE_URL!)
const proxy = await TcpProxy.start({ host: mysql.hostname, port: Number(mysql.port || 3306) })
t.teardown(() => proxy.close())

t.test('a lost MySQL reply: no 2xx, and the retried event is recorded exactly once', async (t) => {
  const direct = await startApp(t, world.config({ PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET }))
  const app = await startApp(
    t,
    world.config({
      PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      DATABASE_URL: proxy.url(world.env.DATABASE_URL!),
    }),
  )
  const product = await createProduct(world, { stock: 3, price: 100 })
  const buyer = await newBuyer(world)
  for (let round = 0; round < 3; round++) {
    const uuid = await awaitingOrder(world, direct, buyer, product)
    const body = paymentEvent(uuid, 100)
    const lost = proxy.loseNextReply()
    const first = await deliver(app, body)
    await lost
    t.not(first.statusCode, 200, `no 2xx without a confirmed commit (${first.statusCode})`)
    t.ok(first.statusCode >= 500, 'answered as a failure the provider retries')
    // The provider retries with the same event id until it gets a 2xx.
    let retry = await deliver(app, body)
    for (let i = 0; i < 5 && retry.statusCode !== 200; i++) retry = await deliver(app, body)
    t.equal(retry.statusCode, 200, retry.body)
    t.equal(retry.json().outcome, 'applied')
    t.equal((await statusOf(world, uuid)).status, 'paid')
    t.equal((await paymentsOf(world, uuid)).length, 1, 'one payment, whichever attempt wrote it')
  }
})
