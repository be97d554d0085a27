import { ReceiveMessageCommand } from '@aws-sdk/client-sqs'
import t from 'tap'
import {
  available,
  createProduct,
  createWorld,
  eventually,
  get,
  metric,
  newBuyer,
  order,
  restock,
  startApp,
} from './helpers.ts'

const world = await createWorld(t, 'orders')
const app = await startApp(t, world.config())

async function receiveAll() {
  const out = []
  for (let i = 0; i < 10; i++) {
    const { Messages = [] } = await world.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: world.queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    )
    if (Messages.length === 0) break
    out.push(...Messages)
  }
  return out
}

t.test('202: a pending row, exactly one SQS message, Location and a readable order', async (t) => {
  const product = await createProduct(world, { stock: 10, price: 250 })
  const buyer = await newBuyer(world)
  const res = await order(
    app,
    buyer,
    { product_id: product, quantity: 3 },
    { 'x-request-id': 'req-intake-1' },
  )
  t.equal(res.statusCode, 202, res.body)
  const body = res.json()
  t.same(Object.keys(body).toSorted(), ['order_uuid', 'status'])
  t.equal(body.status, 'pending')
  t.equal(res.headers.location, `/api/orders/${body.order_uuid}`)

  const row = await world.db
    .selectFrom('orders')
    .selectAll()
    .where('order_uuid', '=', body.order_uuid)
    .executeTakeFirstOrThrow()
  t.match(row, {
    user_id: buyer.id,
    product_id: product,
    quantity: 3,
    status: 'pending',
    request_id: 'req-intake-1',
  })
  t.equal(Number(row.total_price_cents), 750, 'unit price × quantity')
  t.equal(await available(world, product), 7, 'reserved in inventory')

  const messages = await receiveAll()
  t.equal(messages.length, 1, 'exactly one message')
  t.same(JSON.parse(messages[0]!.Body!), {
    v: 1,
    order_uuid: body.order_uuid,
    reservation_id: row.reservation_id,
    product_id: product,
    user_id: buyer.id,
    quantity: 3,
    request_id: 'req-intake-1',
  })
  t.equal(messages[0]!.MessageAttributes?.request_id?.StringValue, 'req-intake-1')

  const read = await get(app, buyer, res.headers.location as string)
  t.equal(read.statusCode, 200)
  t.match(read.json(), {
    order_uuid: body.order_uuid,
    status: 'pending',
    product_id: product,
    quantity: 3,
    total_price_cents: 750,
    failed_reason: null,
  })
})

t.test(
  '409 out_of_stock marks the product: the next request is refused without inventory until a restock',
  async (t) => {
    const product = await createProduct(world, { stock: 1 })
    const [a, b, c] = [await newBuyer(world), await newBuyer(world), await newBuyer(world)]
    t.equal((await order(app, a, { product_id: product, quantity: 1 })).statusCode, 202)
    const refused = await order(app, b, { product_id: product, quantity: 1 })
    t.equal(refused.statusCode, 409)
    t.match(refused.json(), { code: 'out_of_stock', status: 409 })
    t.match(refused.headers['content-type'], /application\/problem\+json/)

    const calls = await metric(app, 'order_inventory_reserve_calls_total')
    const again = await order(app, c, { product_id: product, quantity: 1 })
    t.equal(again.json().code, 'out_of_stock')
    t.equal(await metric(app, 'order_inventory_reserve_calls_total'), calls, 'no call to inventory')
    t.equal(await metric(app, 'order_intake_total', 'outcome="sold_out_local"'), 1)

    await restock(world, product, 2)
    let accepted = false
    t.ok(
      await eventually(async () => {
        accepted = (await order(app, c, { product_id: product, quantity: 1 })).statusCode === 202
        return accepted
      }),
      'the restock event lifts the mark',
    )
    t.ok(accepted)
  },
)

t.test('404 for an unknown product, 409 per_user_limit_exceeded over the limit', async (t) => {
  const buyer = await newBuyer(world)
  const missing = await order(app, buyer, { product_id: 999_999, quantity: 1 })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().code, 'product_not_found')

  const limited = await createProduct(world, { stock: 10, maxPerUser: 2 })
  t.equal((await order(app, buyer, { product_id: limited, quantity: 2 })).statusCode, 202)
  const over = await order(app, buyer, { product_id: limited, quantity: 1 })
  t.equal(over.statusCode, 409)
  t.equal(over.json().code, 'per_user_limit_exceeded')
  t.equal(
    (await order(app, await newBuyer(world), { product_id: limited, quantity: 1 })).statusCode,
    202,
    'per user',
  )
})

t.test('bad input is a 4xx problem and leaves nothing behind', async (t) => {
  const product = await createProduct(world, { stock: 5 })
  const buyer = await newBuyer(world)
  const before = await world.db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
  const cases: [string, { headers?: Record<string, string>; payload: unknown }, number][] = [
    ['quantity 0', { payload: { product_id: product, quantity: 0 } }, 400],
    ['quantity 101', { payload: { product_id: product, quantity: 101 } }, 400],
    ['quantity as a string', { payload: { product_id: product, quantity: '2' } }, 400],
    ['missing product_id', { payload: { quantity: 1 } }, 400],
    ['unknown field', { payload: { product_id: product, quantity: 1, price: 0 } }, 400],
    ['product_id 0', { payload: { product_id: 0, quantity: 1 } }, 400],
    ['malformed JSON', { payload: '{"product_id":' }, 400],
    ['text/plain', { payload: 'hi', headers: { 'content-type': 'text/plain' } }, 415],
    [
      'idempotency key with spaces',
      { payload: { product_id: product, quantity: 1 }, headers: { 'idempotency-key': 'a b' } },
      400,
    ],
    ['body over the limit', { payload: { product_id: product, quantity: 1, pad: 'x'.repeat(20_000) } }, 413],
  ]
  for (const [name, request, status] of cases) {
    const { headers = {}, payload } = request
    const res = await app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { authorization: `Bearer ${buyer.token}`, 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    })
    t.equal(res.statusCode, status, name)
    t.match(res.headers['content-type'], /application\/problem\+json/, `${name}: problem+json`)
  }
  const after = await world.db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
  t.equal(Number(after.n), Number(before.n), 'no row written')
  t.equal(await available(world, product), 5, 'nothing reserved')
})

t.test('401 without a valid token', async (t) => {
  const noToken = await app.inject({
    method: 'POST',
    url: '/api/orders',
    headers: { 'content-type': 'application/json' },
    payload: '{}',
  })
  t.equal(noToken.statusCode, 401)
  t.equal(noToken.json().code, 'unauthorized')
  const forged = await order(
    app,
    { id: 1, token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.x' },
    { product_id: 1, quantity: 1 },
  )
  t.equal(forged.statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: '/api/orders' })).statusCode, 401)
})

t.test('a logged-out token is refused at once', async (t) => {
  const buyer = await newBuyer(world)
  const out = await world.auth.inject({
    method: 'POST',
    url: '/api/logout',
    headers: { authorization: `Bearer ${buyer.token}` },
  })
  t.equal(out.statusCode, 204)
  t.ok(
    await eventually(async () => (await get(app, buyer, '/api/orders')).statusCode === 401),
    'revocation reached order-service',
  )
})

t.test('an order is visible to its owner only', async (t) => {
  const product = await createProduct(world, { stock: 5 })
  const [owner, other] = [await newBuyer(world), await newBuyer(world)]
  const { order_uuid } = (await order(app, owner, { product_id: product, quantity: 1 })).json()
  t.equal((await get(app, owner, `/api/orders/${order_uuid}`)).statusCode, 200)
  const theirs = await get(app, other, `/api/orders/${order_uuid}`)
  t.equal(theirs.statusCode, 404)
  t.equal(theirs.json().code, 'order_not_found')
  t.equal(
    (await get(app, owner, '/api/orders/01900000-0000-7000-8000-000000000000')).json().code,
    'order_not_found',
  )
  t.equal((await get(app, owner, '/api/orders/not-a-uuid')).statusCode, 400)
  t.same((await get(app, other, '/api/orders')).json(), { data: [], next_cursor: null })
})

t.test('my orders: newest first, cursor pagination', async (t) => {
  const product = await createProduct(world, { stock: 50 })
  const buyer = await newBuyer(world)
  const uuids: string[] = []
  for (let i = 0; i < 5; i++)
    uuids.push((await order(app, buyer, { product_id: product, quantity: 1 })).json().order_uuid)
  const seen: string[] = []
  let cursor: string | null = null
  for (let page = 0; page < 5; page++) {
    const res = await get(app, buyer, `/api/orders?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
    t.equal(res.statusCode, 200)
    const body = res.json()
    t.ok(body.data.length <= 2)
    seen.push(...body.data.map((o: { order_uuid: string }) => o.order_uuid))
    cursor = body.next_cursor
    if (!cursor) break
  }
  t.same(seen, uuids.toReversed(), 'every order once, newest first')
  t.equal((await get(app, buyer, '/api/orders?cursor=%%%')).statusCode, 400)
  t.equal(
    (await get(app, buyer, `/api/orders?cursor=${Buffer.from('x').toString('base64url')}`)).json().code,
    'validation_failed',
  )
  t.equal((await get(app, buyer, '/api/orders?limit=101')).statusCode, 400)
})
