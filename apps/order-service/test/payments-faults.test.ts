import { TcpProxy } from '@flash/test-kit'
import t, { type Test } from 'tap'
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

/** One instance straight to MySQL (to set orders up) and one whose MySQL link goes through the proxy. */
async function directAndProxied(t: Test) {
  const direct = await startApp(t, world.config({ PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET }))
  const app = await startApp(
    t,
    world.config({
      PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      DATABASE_URL: proxy.url(world.env.DATABASE_URL!),
    }),
  )
  return { direct, app }
}

t.test('a lost MySQL reply: no 2xx, and the retried event is recorded exactly once', async (t) => {
  const { direct, app } = await directAndProxied(t)
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

// Found by the fault matrix's pay-webhook-lost-reply row: a reply lost after the transaction's first
// statement broke the connection, kysely's ROLLBACK then failed on it with mysql2's "closed state" error
// (no code), which replaced the lost connection's and was answered 500 instead of 503 + Retry-After.
t.test('a reply lost in the middle of the webhook transaction is a 503, not a 500', async (t) => {
  const { direct, app } = await directAndProxied(t)
  const product = await createProduct(world, { stock: 3, price: 100 })
  const buyer = await newBuyer(world)
  const uuid = await awaitingOrder(world, direct, buyer, product)
  const body = paymentEvent(uuid, 100)
  // The order row is held by another transaction, so the webhook's transaction waits on its lock; the
  // reply armed now is the one to the statement after the lock (inside the open transaction).
  let release!: () => void
  const held = new Promise<void>((r) => {
    release = r
  })
  let locked!: () => void
  const isLocked = new Promise<void>((r) => {
    locked = r
  })
  const holder = world.db.transaction().execute(async (trx) => {
    await trx.selectFrom('orders').select('id').where('order_uuid', '=', uuid).forUpdate().execute()
    locked()
    await held
  })
  await isLocked
  const delivery = deliver(app, body)
  await new Promise((r) => setTimeout(r, 300))
  const lost = proxy.loseNextReply()
  release()
  await holder
  const first = await delivery
  await lost
  t.equal(first.statusCode, 503, first.body)
  t.equal(first.json().code, 'dependency_unavailable')
  t.ok(first.headers['retry-after'], 'with Retry-After')
  let retry = await deliver(app, body)
  for (let i = 0; i < 5 && retry.statusCode !== 200; i++) retry = await deliver(app, body)
  t.equal(retry.json().outcome, 'applied')
  t.equal((await paymentsOf(world, uuid)).length, 1, 'one payment, whichever attempt wrote it')
})
