import { execFile } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expireDueOrders } from '@flash/db'
import { sql } from 'kysely'
import t from 'tap'
import { signatureHeader } from '../src/payments/hmac-signature.ts'
import { adminToken, available, createProduct, createWorld, newBuyer, startApp } from './helpers.ts'
import {
  awaitingOrder,
  cancel,
  deliver,
  paymentEvent,
  paymentsOf,
  statusOf,
  stockOf,
  WEBHOOK_SECRET,
} from './payment-fixtures.ts'

const execFileAsync = promisify(execFile)
const world = await createWorld(t, 'payments')
const app = await startApp(t, world.config({ PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET }))

t.test('a signed payment makes the order paid once; a redelivery is a duplicate', async (t) => {
  const product = await createProduct(world, { stock: 5, price: 300 })
  const buyer = await newBuyer(world)
  const uuid = await awaitingOrder(world, app, buyer, product, { quantity: 2 })
  const body = paymentEvent(uuid, 600, 'evt_once')

  const first = await deliver(app, body)
  t.equal(first.statusCode, 200, first.body)
  t.same(first.json(), { received: true, outcome: 'applied', duplicate: false })
  // 200 only after COMMIT: the payment and the order's new status are already readable.
  t.equal((await statusOf(world, uuid)).status, 'paid')
  t.equal((await paymentsOf(world, uuid)).length, 1)

  // The same event again — a retry, or an attacker replaying a captured delivery within the tolerance.
  const again = await Promise.all([deliver(app, body), deliver(app, body), deliver(app, body)])
  for (const res of again) t.same(res.json(), { received: true, outcome: 'applied', duplicate: true })
  t.equal((await paymentsOf(world, uuid)).length, 1, 'still one payment')
  t.equal(await stockOf(world, product), 3, 'the paid units stay sold, nothing returned')

  const mine = await app.inject({
    method: 'GET',
    url: `/api/orders/${uuid}`,
    headers: { authorization: `Bearer ${buyer.token}` },
  })
  t.equal(mine.json().status, 'paid')
})

t.test('forged, stale, unknown and malformed deliveries get one answer and change nothing', async (t) => {
  const product = await createProduct(world, { stock: 2, price: 100 })
  const buyer = await newBuyer(world)
  const uuid = await awaitingOrder(world, app, buyer, product)
  const now = Math.floor(Date.now() / 1000)
  const body = paymentEvent(uuid, 100)
  const answers = [
    await deliver(app, body, { secret: 'not-the-secret-0123456789' }),
    await deliver(app, body, { timestamp: now - 301 }),
    await deliver(app, body, { timestamp: now + 301 }),
    await deliver(app, body, { signature: `t=${now}` }),
    await deliver(app, body, { signature: 'garbage' }),
    // Signed correctly, but the body was changed on the way.
    await deliver(app, body.replace('"amount_cents":100', '"amount_cents":1'), {
      signature: signatureHeader(WEBHOOK_SECRET, body, now),
    }),
    await deliver(app, paymentEvent('00000000-0000-4000-8000-000000000000', 100)),
    await deliver(app, '{"id":"evt_x","type":"payment_intent.succeeded"}'),
    await deliver(app, '{not json'),
  ]
  for (const res of answers) {
    t.equal(res.statusCode, 400)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    const { request_id: _ignored, instance: _also, ...problem } = res.json()
    t.same(problem, {
      type: problem.type,
      title: problem.title,
      status: 400,
      detail: 'The webhook delivery was not accepted',
      code: 'webhook_rejected',
    })
  }
  t.equal((await statusOf(world, uuid)).status, 'awaiting_payment')
  t.equal((await paymentsOf(world, uuid)).length, 0)
})

t.test(
  'cancel: the owner gets the unit back on sale once; others and other states are refused',
  async (t) => {
    const product = await createProduct(world, { stock: 1, price: 100 })
    const buyer = await newBuyer(world)
    const stranger = await newBuyer(world)
    const uuid = await awaitingOrder(world, app, buyer, product)
    t.equal(await available(world, product), 0, 'sold out while the order waits for its payment')

    t.equal((await cancel(app, stranger, uuid)).statusCode, 404, "another buyer's order is not found")
    const res = await cancel(app, buyer, uuid)
    t.equal(res.statusCode, 200, res.body)
    t.equal(res.json().status, 'cancelled')
    t.equal(await stockOf(world, product), 1, 'MySQL stock back')
    t.equal(await available(world, product), 1, 'Redis available back')
    t.ok((await statusOf(world, uuid)).units_returned_at, 'the Redis return is confirmed')

    const repeat = await cancel(app, buyer, uuid)
    t.equal(repeat.statusCode, 200)
    t.equal(await stockOf(world, product), 1, 'a repeated cancel returns nothing more')
    t.equal(await available(world, product), 1)

    // The next buyer buys the returned unit.
    const next = await newBuyer(world)
    const second = await awaitingOrder(world, app, next, product)
    t.equal(await available(world, product), 0)

    const paid = await deliver(app, paymentEvent(second, 100))
    t.equal(paid.json().outcome, 'applied')
    const refused = await cancel(app, next, second)
    t.equal(refused.statusCode, 409)
    t.equal(refused.json().code, 'order_not_cancellable')
    t.equal(await stockOf(world, product), 0, 'a paid order keeps its unit')
  },
)

t.test('a pending order cannot be cancelled yet: 409 with Retry-After', async (t) => {
  const product = await createProduct(world, { stock: 1 })
  const buyer = await newBuyer(world)
  const placed = await app.inject({
    method: 'POST',
    url: '/api/orders',
    headers: { authorization: `Bearer ${buyer.token}`, 'content-type': 'application/json' },
    payload: { product_id: product, quantity: 1 },
  })
  const res = await cancel(app, buyer, placed.json().order_uuid)
  t.equal(res.statusCode, 409)
  t.equal(res.json().code, 'order_not_cancellable')
  t.equal(res.headers['retry-after'], '1')
  t.equal((await statusOf(world, placed.json().order_uuid)).status, 'pending')
})

t.test(
  'a payment after cancel or expiry never resells: recorded refund_due, visible to the admin',
  async (t) => {
    const product = await createProduct(world, { stock: 2, price: 100 })
    const buyer = await newBuyer(world)
    const cancelled = await awaitingOrder(world, app, buyer, product)
    await cancel(app, buyer, cancelled)
    const expired = await awaitingOrder(world, app, buyer, product)
    await world.db
      .updateTable('orders')
      .set({ pay_by: sql<Date>`current_timestamp(3) - interval 1 second` })
      .where('order_uuid', '=', expired)
      .execute()
    // Past pay_by, not yet expired by the worker: the payment is late all the same.
    const late = await deliver(app, paymentEvent(expired, 100))
    t.same(late.json(), { received: true, outcome: 'refund_due', duplicate: false })
    t.equal((await statusOf(world, expired)).status, 'awaiting_payment', 'left for the expiry pass')
    t.equal((await expireDueOrders(world.db, 100)).length, 1)
    t.equal((await statusOf(world, expired)).status, 'expired')

    const afterCancel = await deliver(app, paymentEvent(cancelled, 100))
    t.same(afterCancel.json(), { received: true, outcome: 'refund_due', duplicate: false })
    t.equal((await statusOf(world, cancelled)).status, 'cancelled')
    t.equal(await stockOf(world, product), 2, 'both units are back in stock, neither sold again by a payment')

    const list = await app.inject({
      method: 'GET',
      url: '/api/admin/payments?refund_due=true',
      headers: { authorization: `Bearer ${await adminToken(world)}` },
    })
    t.equal(list.statusCode, 200, list.body)
    const due = list
      .json()
      .data.filter((p: { order_uuid: string }) => [cancelled, expired].includes(p.order_uuid))
    t.same(due.map((p: { reason: string }) => p.reason).toSorted(), ['late', 'late'])
    const customer = await app.inject({
      method: 'GET',
      url: '/api/admin/payments',
      headers: { authorization: `Bearer ${buyer.token}` },
    })
    t.equal(customer.statusCode, 403)
  },
)

t.test('a second payment, or a wrong amount, is kept for a refund', async (t) => {
  const product = await createProduct(world, { stock: 2, price: 100 })
  const buyer = await newBuyer(world)
  const uuid = await awaitingOrder(world, app, buyer, product)
  t.same((await deliver(app, paymentEvent(uuid, 99))).json().outcome, 'refund_due')
  t.equal((await statusOf(world, uuid)).status, 'awaiting_payment')
  t.same((await deliver(app, paymentEvent(uuid, 100))).json().outcome, 'applied')
  t.same((await deliver(app, paymentEvent(uuid, 100))).json().outcome, 'refund_due', 'double charge kept')
  const reasons = (await paymentsOf(world, uuid)).map((p) => [p.outcome, p.reason])
  t.same(reasons, [
    ['refund_due', 'amount_mismatch'],
    ['applied', null],
    ['refund_due', 'already_paid'],
  ])
})

t.test(
  'a payment racing a cancel and an expiry: exactly one wins, the unit is never sold twice',
  async (t) => {
    const rounds = 30
    const product = await createProduct(world, { stock: rounds * 2, price: 100 })
    const buyer = await newBuyer(world)
    for (let i = 0; i < rounds; i++) {
      // Against a cancel.
      const a = await awaitingOrder(world, app, buyer, product)
      const [paid, cancelled] = await Promise.all([deliver(app, paymentEvent(a, 100)), cancel(app, buyer, a)])
      const aStatus = (await statusOf(world, a)).status
      if (aStatus === 'paid') {
        t.equal(paid.json().outcome, 'applied')
        t.equal(cancelled.statusCode, 409)
      } else {
        t.equal(aStatus, 'cancelled')
        t.equal(paid.json().outcome, 'refund_due')
      }
      // Against an expiry: the deadline lands between the two.
      const b = await awaitingOrder(world, app, buyer, product, { payWithinMs: 5 })
      const [paidB] = await Promise.all([
        deliver(app, paymentEvent(b, 100)),
        new Promise((resolve) => setTimeout(resolve, 5)).then(() => expireDueOrders(world.db, 100)),
      ])
      const bStatus = (await statusOf(world, b)).status
      if (paidB.json().outcome === 'applied') t.equal(bStatus, 'paid')
      else t.ok(bStatus === 'expired' || bStatus === 'awaiting_payment', bStatus)
    }
    await expireDueOrders(world.db, 1000)
    const rows = await world.db
      .selectFrom('orders')
      .select(['status', sql<string>`sum(quantity)`.as('units')])
      .where('product_id', '=', product)
      .groupBy('status')
      .execute()
    const units = Object.fromEntries(rows.map((r) => [r.status, Number(r.units)]))
    const paidUnits = units.paid ?? 0
    t.equal(
      await stockOf(world, product),
      rounds * 2 - paidUnits,
      'stock = supplied − paid: every unpaid unit came back once',
    )
    const applied = await world.db
      .selectFrom('payments')
      .innerJoin('orders', 'orders.order_uuid', 'payments.order_uuid')
      .select(sql<string>`count(*)`.as('n'))
      .where('orders.product_id', '=', product)
      .where('payments.outcome', '=', 'applied')
      .executeTakeFirstOrThrow()
    t.equal(Number(applied.n), paidUnits, 'one applied payment per paid order, none on a returned one')
  },
)

t.test('an admin marks a refund_due payment refunded: once, and never an applied one', async (t) => {
  const product = await createProduct(world, { stock: 2, price: 100 })
  const buyer = await newBuyer(world)
  const uuid = await awaitingOrder(world, app, buyer, product)
  await deliver(app, paymentEvent(uuid, 100))
  await deliver(app, paymentEvent(uuid, 100))
  const [applied, second] = await paymentsOf(world, uuid)
  const admin = { authorization: `Bearer ${await adminToken(world)}` }
  const mark = (id: number, headers: Record<string, string> = admin) =>
    app.inject({ method: 'POST', url: `/api/admin/payments/${id}/refunded`, headers })
  const dueIds = async () =>
    (await app.inject({ url: '/api/admin/payments?refund_due=true&limit=100', headers: admin }))
      .json()
      .data.map((p: { id: number }) => p.id)
  t.ok((await dueIds()).includes(Number(second!.id)), 'the double charge is on the refund list')

  const buyerAsks = await mark(Number(second!.id), { authorization: `Bearer ${buyer.token}` })
  t.equal(buyerAsks.statusCode, 403, 'a buyer cannot mark a refund')
  // Two admins click at once, then one clicks again: one change, the same answer every time.
  const answers = await Promise.all([mark(Number(second!.id)), mark(Number(second!.id))])
  answers.push(await mark(Number(second!.id)))
  for (const res of answers) {
    t.equal(res.statusCode, 200, res.body)
    t.match(res.json(), {
      id: Number(second!.id),
      order_uuid: uuid,
      outcome: 'refunded',
      reason: 'already_paid',
    })
  }
  t.notOk((await dueIds()).includes(Number(second!.id)), 'and it left the refund list')

  const refused = await mark(Number(applied!.id))
  t.equal(refused.statusCode, 409)
  t.equal(refused.json().code, 'payment_not_refundable')
  t.equal((await mark(999_999_999)).json().code, 'payment_not_found')
  t.equal((await mark(0)).statusCode, 400, 'an id out of range is a validation error')
  t.same(
    (await paymentsOf(world, uuid)).map((p) => p.outcome),
    ['applied', 'refunded'],
    'the applied payment is untouched',
  )
  t.equal((await statusOf(world, uuid)).status, 'paid', 'and so is its order')
})

t.test('without a webhook secret the webhook is off: 503 payments_disabled', async (t) => {
  const off = await startApp(t, world.config())
  const res = await deliver(off, paymentEvent('00000000-0000-4000-8000-000000000000', 1))
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'payments_disabled')
})

t.test('npm run pay signs and sends the webhook as the provider does', async (t) => {
  const listening = await startApp(t, world.config({ PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET }))
  await listening.listen({ host: '127.0.0.1', port: 0 })
  const { port } = listening.server.address() as AddressInfo
  const product = await createProduct(world, { stock: 1, price: 4200 })
  const buyer = await newBuyer(world)
  const uuid = await awaitingOrder(world, app, buyer, product)
  const run = (...args: string[]) =>
    execFileAsync(
      process.execPath,
      [fileURLToPath(new URL('../src/payments/pay-cli.ts', import.meta.url)), ...args],
      {
        env: { ...process.env, PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET, DATABASE_URL: world.env.DATABASE_URL },
      },
    )
  const url = `http://127.0.0.1:${port}/api/payments/webhook`
  const paid = await run(uuid, '--url', url, '--event-id', 'evt_cli')
  t.match(paid.stdout, /^200 .*"outcome":"applied"/, 'the amount read from the order, accepted')
  const again = await run(uuid, '--url', url, '--event-id', 'evt_cli')
  t.match(again.stdout, /"duplicate":true/)
  t.equal((await statusOf(world, uuid)).status, 'paid')
  await t.rejects(run('not-a-uuid'), 'usage error')
})
