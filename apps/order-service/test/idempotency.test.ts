import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs'
import t from 'tap'
import { available, createProduct, createWorld, newBuyer, order, startApp } from './helpers.ts'

const world = await createWorld(t, 'idem')
// A 100 ms batch window keeps the first request in flight long enough to observe it.
const app = await startApp(t, world.config({ SQS_BATCH_WINDOW_MS: '100' }))

const rowsFor = async (userId: number) =>
  world.db.selectFrom('orders').select('order_uuid').where('user_id', '=', userId).execute()

async function queued(): Promise<number> {
  const out = await world.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: world.queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages'],
    }),
  )
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0)
}

t.test('same key and body: the original answer, one order, one message', async (t) => {
  const product = await createProduct(world, { stock: 10 })
  const buyer = await newBuyer(world)
  const before = await queued()
  const first = await order(app, buyer, { product_id: product, quantity: 2 }, { 'idempotency-key': 'k-1' })
  t.equal(first.statusCode, 202)
  const replay = await order(app, buyer, { product_id: product, quantity: 2 }, { 'idempotency-key': 'k-1' })
  t.equal(replay.statusCode, 202)
  t.same(replay.json(), first.json())
  t.equal(replay.headers.location, first.headers.location)
  t.equal(replay.headers['idempotent-replayed'], 'true')
  t.equal((await rowsFor(buyer.id)).length, 1)
  t.equal(await queued(), before + 1)
  t.equal(await available(world, product), 8, 'reserved once')
})

t.test('same key, different body: 422', async (t) => {
  const product = await createProduct(world, { stock: 10 })
  const buyer = await newBuyer(world)
  await order(app, buyer, { product_id: product, quantity: 1 }, { 'idempotency-key': 'k-2' })
  const res = await order(app, buyer, { product_id: product, quantity: 3 }, { 'idempotency-key': 'k-2' })
  t.equal(res.statusCode, 422)
  t.equal(res.json().code, 'idempotency_key_reused')
  t.equal((await rowsFor(buyer.id)).length, 1)
})

t.test('while the original is still in flight: 409 with Retry-After', async (t) => {
  const product = await createProduct(world, { stock: 10 })
  const buyer = await newBuyer(world)
  const first = order(app, buyer, { product_id: product, quantity: 1 }, { 'idempotency-key': 'k-3' })
  await new Promise((resolve) => setTimeout(resolve, 40))
  const second = await order(app, buyer, { product_id: product, quantity: 1 }, { 'idempotency-key': 'k-3' })
  t.equal(second.statusCode, 409)
  t.equal(second.json().code, 'idempotency_request_in_flight')
  t.ok(second.headers['retry-after'])
  t.equal((await first).statusCode, 202)
  t.equal((await rowsFor(buyer.id)).length, 1)
})

t.test('a 4xx answer is replayed too; keys belong to one buyer', async (t) => {
  const product = await createProduct(world, { stock: 1 })
  const [winner, buyer] = [await newBuyer(world), await newBuyer(world)]
  t.equal(
    (await order(app, winner, { product_id: product, quantity: 1 }, { 'idempotency-key': 'same' }))
      .statusCode,
    202,
  )
  const refused = await order(app, buyer, { product_id: product, quantity: 1 }, { 'idempotency-key': 'same' })
  t.equal(refused.json().code, 'out_of_stock', 'another buyer with the same key is not a replay')
  const replay = await order(app, buyer, { product_id: product, quantity: 1 }, { 'idempotency-key': 'same' })
  t.equal(replay.statusCode, 409)
  t.equal(replay.json().code, 'out_of_stock')
  t.equal(replay.headers['idempotent-replayed'], 'true')
})

t.test('a 5xx frees the key: the retry runs afresh', async (t) => {
  const product = await createProduct(world, { stock: 5 })
  const buyer = await newBuyer(world)
  // Same Redis prefix, but an inventory address where nothing listens.
  const broken = await startApp(t, world.config({ INVENTORY_URL: 'http://127.0.0.1:9' }))
  const failed = await order(
    broken,
    buyer,
    { product_id: product, quantity: 1 },
    { 'idempotency-key': 'k-5' },
  )
  t.equal(failed.statusCode, 503)
  const retry = await order(app, buyer, { product_id: product, quantity: 1 }, { 'idempotency-key': 'k-5' })
  t.equal(retry.statusCode, 202)
  t.notOk(retry.headers['idempotent-replayed'])
})
