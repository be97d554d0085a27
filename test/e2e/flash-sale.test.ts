import { expectOk } from '@flash/api-client'
import { type OrderMessage, type StockState, toOrderMessage } from '@flash/contracts'
import { newUuid } from '@flash/db'
import { createSqsClient, sendBatch } from '@flash/queue'
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { auditStock } from '@flash/tools'
import { eventually, inParallel, startE2eStack } from '../src/index.ts'

// The correctness contract (docs/correctness.md) end to end: the whole stack as separate processes, two instances of each order-path
// service, a flash sale with demand far above supply, then I1–I6 checked against MySQL and Redis.
// Failed attempts retry at once and the DLQ is polled often, so the poison test ends quickly.
const e2e = await startE2eStack(t, {}, { RETRY_BASE_SECONDS: '0', DLQ_POLL_MS: '300' })
const { api, db, adminToken, stack } = e2e

/** inventory-service's audit view of one product: its Redis state next to MySQL's totals. */
async function stockState(productId: number): Promise<StockState> {
  const inventory = stack.urls['inventory-service']![0]!
  const res = await request(`${inventory}/internal/products/${productId}/stock-state`, {
    headers: { authorization: `Bearer ${e2e.serviceToken}` },
  })
  if (res.statusCode !== 200) throw new Error(`stock-state answered ${res.statusCode}`)
  return (await res.body.json()) as StockState
}

/** I4 for one product once nothing is in flight: Redis = MySQL, no reservation left behind. */
async function assertNoLeak(t: Test, productId: number) {
  const state = await eventually(async () => {
    const s = await stockState(productId)
    return s.redis.reservations === 0 && s.mysql.pending_qty === 0 ? s : undefined
  })
  t.equal(state.redis.available, state.mysql.stock, 'Redis available = MySQL stock (I4)')
  t.equal(state.redis.reserved_units, 0, 'no reservation left behind (I4)')
  t.equal(
    state.mysql.supplied - state.mysql.completed_qty,
    state.mysql.stock,
    'stock = supplied − Σ completed (I2)',
  )
  return state
}

async function queueDepth(name: string): Promise<number> {
  const sqs = createSqsClient({ endpoint: stack.sqsEndpoint, region: 'us-east-1' })
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }))
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    )
    return (
      Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    )
  } finally {
    sqs.destroy()
  }
}

const terminal = async (orderUuids: string[], tokens: Map<string, string>) =>
  eventually(async () => {
    const rows = await db
      .selectFrom('orders')
      .select(['order_uuid', 'status'])
      .where('order_uuid', 'in', orderUuids.length ? orderUuids : ['-'])
      .execute()
    if (rows.length !== orderUuids.length || rows.some((r) => r.status === 'pending')) return undefined
    void tokens
    return rows
  })

const BUYERS = 200
const buyers = await inParallel(BUYERS, 25, async (i) => {
  const res = expectOk(
    await api.register({
      name: `Buyer ${i}`,
      email: `buyer${i}@e2e.example.com`,
      password: 'buyer-password',
    }),
  )
  return { id: res.user.id, token: res.access_token }
})

const hot = expectOk(
  await api.createProduct(adminToken, { name: 'Hot console', price_cents: 49_900, stock: 100 }),
)
const limited = expectOk(
  await api.createProduct(adminToken, {
    name: 'Limited sneaker',
    price_cents: 12_000,
    stock: 1_000,
    max_per_user: 2,
  }),
)

t.test('flash sale: 1,200 orders from 200 buyers on stock 100 (+20 restocked mid-sale)', async (t) => {
  const ORDERS = 1_200
  const statuses = new Map<number, number>()
  const codes = new Map<string, number>()
  const accepted: { uuid: string; buyer: number }[] = []
  let restocked = false
  await inParallel(ORDERS, 200, async (i) => {
    if (i === ORDERS / 2 && !restocked) {
      restocked = true
      expectOk(await api.restock(adminToken, hot.id, { quantity: 20 }))
    }
    const buyer = i % BUYERS
    const res = await api.createOrder(buyers[buyer]!.token, { product_id: hot.id, quantity: 1 })
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
    if (res.ok) accepted.push({ uuid: res.data.order_uuid, buyer })
    else codes.set(res.problem.code, (codes.get(res.problem.code) ?? 0) + 1)
  })
  t.comment(
    `answers: ${JSON.stringify(Object.fromEntries(statuses))} codes: ${JSON.stringify(Object.fromEntries(codes))}`,
  )
  t.equal(statuses.get(202), 120, 'exactly the stock ever made available was accepted (I1, I6)')
  t.equal(statuses.get(409), ORDERS - 120, 'everyone else was told sold out')
  t.same([...codes.keys()], ['out_of_stock'])
  t.notOk(
    [...statuses.keys()].some((s) => s >= 500),
    'no 5xx',
  )

  // I3: every accepted order is visible to its owner at once, and only to its owner.
  const first = accepted[0]!
  const seen = expectOk(await api.getOrder(buyers[first.buyer]!.token, first.uuid))
  t.equal(seen.order_uuid, first.uuid)
  const stranger = buyers[(first.buyer + 1) % BUYERS]!.token
  t.equal((await api.getOrder(stranger, first.uuid)).status, 404, "another buyer's order is a 404")

  const rows = await terminal(
    accepted.map((a) => a.uuid),
    new Map(),
  )
  t.equal(rows.filter((r) => r.status === 'completed').length, 120, 'every accepted order completed')
  t.equal(rows.filter((r) => r.status === 'failed').length, 0, 'no failed orders in a healthy run (I6)')

  const product = await db
    .selectFrom('products')
    .selectAll()
    .where('id', '=', hot.id)
    .executeTakeFirstOrThrow()
  t.equal(product.stock, 0, 'MySQL stock is exactly zero (I1)')
  const completed = await db
    .selectFrom('orders')
    .select((eb) => eb.fn.sum<number>('quantity').as('units'))
    .where('product_id', '=', hot.id)
    .where('status', '=', 'completed')
    .executeTakeFirstOrThrow()
  t.equal(
    Number(product.supplied) - Number(completed.units),
    product.stock,
    'stock = supplied − Σ completed (I2)',
  )

  // I4: once the queue has drained, Redis agrees with MySQL and holds no reservation.
  await eventually(async () => ((await queueDepth(e2e.queueName)) === 0 ? true : undefined))
  await assertNoLeak(t, hot.id)
  t.equal(expectOk(await api.getProduct(hot.id)).stock, 0, 'the public product shows sold out')
})

t.test('per-user limit holds under concurrency', async (t) => {
  const PER_BUYER = 4
  const results = await inParallel(50 * PER_BUYER, 100, async (i) => {
    const buyer = i % 50
    const res = await api.createOrder(buyers[buyer]!.token, { product_id: limited.id, quantity: 1 })
    return { buyer, res }
  })
  const acceptedBy = new Map<number, string[]>()
  for (const { buyer, res } of results) {
    if (res.ok) acceptedBy.set(buyer, [...(acceptedBy.get(buyer) ?? []), res.data.order_uuid])
    else t.equal(res.problem.code, 'per_user_limit_exceeded', 'refusals name the per-user limit')
  }
  t.equal(acceptedBy.size, 50, 'every buyer got some')
  t.ok(
    [...acceptedBy.values()].every((orders) => orders.length === 2),
    'nobody got more than 2',
  )
  const rows = await terminal([...acceptedBy.values()].flat(), new Map())
  t.ok(rows.every((r) => r.status === 'completed'))
  const product = await db
    .selectFrom('products')
    .select('stock')
    .where('id', '=', limited.id)
    .executeTakeFirstOrThrow()
  t.equal(product.stock, 1_000 - 100)
})

t.test('a duplicated SQS message never decrements twice (I5)', async (t) => {
  const product = expectOk(await api.createProduct(adminToken, { name: 'Dup', price_cents: 100, stock: 10 }))
  const buyer = buyers[0]!
  const accepted = expectOk(await api.createOrder(buyer.token, { product_id: product.id, quantity: 3 }))
  await terminal([accepted.order_uuid], new Map())
  const row = await db
    .selectFrom('orders')
    .selectAll()
    .where('order_uuid', '=', accepted.order_uuid)
    .executeTakeFirstOrThrow()
  const message = toOrderMessage(row, 'e2e-duplicate')
  const sqs = createSqsClient({ endpoint: stack.sqsEndpoint, region: 'us-east-1' })
  t.teardown(() => sqs.destroy())
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: e2e.queueName }))
  const sent = await sendBatch(sqs, QueueUrl!, [
    { MessageBody: JSON.stringify(message) },
    { MessageBody: JSON.stringify(message) },
  ])
  t.equal(sent.failed.length, 0)
  await eventually(async () => ((await queueDepth(e2e.queueName)) === 0 ? true : undefined))
  const after = await db
    .selectFrom('products')
    .select('stock')
    .where('id', '=', product.id)
    .executeTakeFirstOrThrow()
  t.equal(after.stock, 7, 'decremented once, by 3')
  const order = expectOk(await api.getOrder(buyer.token, accepted.order_uuid))
  t.equal(order.status, 'completed')
  const state = await assertNoLeak(t, product.id)
  t.equal(state.redis.available, 7)
})

t.test('an idempotent retry returns the original order', async (t) => {
  const product = expectOk(await api.createProduct(adminToken, { name: 'Idem', price_cents: 250, stock: 5 }))
  const buyer = buyers[1]!
  const first = await api.createOrder(buyer.token, { product_id: product.id, quantity: 1 }, 'e2e-key-1')
  const again = await api.createOrder(buyer.token, { product_id: product.id, quantity: 1 }, 'e2e-key-1')
  t.equal(first.status, 202)
  t.equal(again.status, 202)
  if (first.ok && again.ok) t.equal(again.data.order_uuid, first.data.order_uuid)
  const other = await api.createOrder(buyer.token, { product_id: product.id, quantity: 2 }, 'e2e-key-1')
  t.equal(other.status, 422)
  const count = await db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('product_id', '=', product.id)
    .executeTakeFirstOrThrow()
  t.equal(Number(count.n), 1, 'one order, whatever the retries')
})

t.test(
  'a poison message ends in the DLQ; its order ends failed and the stock comes back (I3, I4)',
  async (t) => {
    const product = expectOk(
      await api.createProduct(adminToken, { name: 'Poison', price_cents: 300, stock: 5 }),
    )
    const other = expectOk(await api.createProduct(adminToken, { name: 'Other', price_cents: 300, stock: 5 }))
    const buyer = buyers[2]!
    // What the intake does — reserve, then the pending row — followed by a message that names the
    // wrong product: every delivery leaves the order pending until SQS dead-letters it.
    const reservationId = newUuid()
    const inventory = stack.urls['inventory-service']![0]!
    const reserved = await request(`${inventory}/internal/reservations/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${e2e.serviceToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        items: [{ reservation_id: reservationId, product_id: product.id, user_id: buyer.id, quantity: 2 }],
      }),
    })
    t.equal(reserved.statusCode, 200)
    t.match(await reserved.body.json(), { results: [{ ok: true }] })
    const orderUuid = newUuid()
    await db
      .insertInto('orders')
      .values({
        order_uuid: orderUuid,
        user_id: buyer.id,
        product_id: product.id,
        quantity: 2,
        total_price_cents: 600,
        reservation_id: reservationId,
        request_id: 'e2e-poison',
      })
      .execute()
    t.equal(expectOk(await api.getProduct(product.id)).stock, 3, 'the reservation holds 2 units')

    const poison: OrderMessage = {
      v: 1,
      order_uuid: orderUuid,
      reservation_id: reservationId,
      product_id: other.id,
      user_id: buyer.id,
      quantity: 2,
      request_id: 'e2e-poison',
    }
    const sqs = createSqsClient({ endpoint: stack.sqsEndpoint, region: 'us-east-1' })
    t.teardown(() => sqs.destroy())
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: e2e.queueName }))
    t.equal((await sendBatch(sqs, QueueUrl!, [{ MessageBody: JSON.stringify(poison) }])).failed.length, 0)

    const order = await eventually(async () => {
      const o = expectOk(await api.getOrder(buyer.token, orderUuid))
      return o.status === 'pending' ? undefined : o
    })
    t.equal(order.status, 'failed', 'the order reached a terminal state through the DLQ')
    t.equal(order.failed_reason, 'processing_failed')
    await eventually(async () => ((await queueDepth(e2e.dlqName)) === 0 ? true : undefined))
    const state = await assertNoLeak(t, product.id)
    t.equal(state.redis.available, 5, 'the reserved units are for sale again')
    t.equal(state.mysql.stock, 5, 'MySQL stock was never touched')
    const untouched = await stockState(other.id)
    t.equal(untouched.mysql.stock, 5, 'the product the message named was not touched either')
  },
)

t.test('the stock audit passes for every product once everything has drained', async (t) => {
  await eventually(async () => ((await queueDepth(e2e.queueName)) === 0 ? true : undefined))
  const findings = await auditStock({
    inventoryUrl: stack.urls['inventory-service']![0]!,
    serviceToken: e2e.serviceToken,
  })
  t.ok(findings.length >= 3 * 6, 'I1, I2 and I4 judged for every product')
  t.same(
    findings.filter((f) => !f.ok),
    [],
    'no invariant fails',
  )
})
