import { sql } from 'kysely'
import t from 'tap'
import { insertProduct, statusesOf, stockOf } from './fixtures.ts'
import {
  acceptOrder,
  available,
  createWorld,
  depth,
  eventually,
  metric,
  sendMessage,
  startFinalizer,
  startInventory,
} from './helpers.ts'

const world = await createWorld(t, 'retries')

t.test('inventory down: the batch is retried with backoff and succeeds once it is back', async (t) => {
  // A second inventory instance (same Redis and MySQL) that we can take away and bring back.
  const first = await startInventory(t, world)
  const port = Number(new URL(first.url).port)
  await first.app.close()
  const app = await startFinalizer(
    t,
    world.config({ INVENTORY_URL: first.url, RETRY_BASE_SECONDS: '1', MAX_ATTEMPTS: '3' }),
  )
  const product = await insertProduct(world.db, 5)
  const message = await acceptOrder(world, product, { quantity: 2 })
  t.ok(
    await eventually(async () => (await metric(app, 'finalizer_retries_total')) >= 1),
    'a retry was scheduled',
  )
  // The transaction committed before settle failed; the retry must only repeat the settle.
  t.equal(await stockOf(world.db, product), 3)
  await startInventory(t, world, port)
  t.ok(
    await eventually(async () => (await depth(world.sqs, world.queueUrl)) === 0, 300),
    'acknowledged after a retry',
  )
  t.match((await statusesOf(world.db, [message.order_uuid]))[0], { status: 'completed' })
  t.equal(await stockOf(world.db, product), 3, 'decremented once across the retries')
  t.equal(await available(world, product), 3)
  t.equal(await depth(world.sqs, world.dlqUrl), 0, 'never reached the DLQ')
})

t.test(
  'a failing message reaches the DLQ after MAX_ATTEMPTS; the order ends failed and its stock returns',
  async (t) => {
    const app = await startFinalizer(t, world.config())
    const product = await insertProduct(world.db, 4)
    const other = await insertProduct(world.db, 4)
    const message = await acceptOrder(world, product, { quantity: 2, send: false })
    t.equal(await available(world, product), 2)
    // Names a product its order is not for: every attempt leaves the order pending.
    await sendMessage(world, JSON.stringify({ ...message, product_id: other }))
    t.ok(
      await eventually(
        async () => (await statusesOf(world.db, [message.order_uuid]))[0]?.status === 'failed',
        500,
      ),
    )
    t.match((await statusesOf(world.db, [message.order_uuid]))[0], { failed_reason: 'processing_failed' })
    t.ok(await eventually(async () => (await available(world, product)) === 4), 'reservation released (I4)')
    t.equal(await stockOf(world.db, product), 4)
    t.ok(
      await eventually(async () => (await depth(world.sqs, world.dlqUrl)) === 0),
      'DLQ message deleted once handled',
    )
    t.equal(await metric(app, 'finalizer_retries_total'), 3, 'tried MAX_ATTEMPTS times')
    t.equal(await metric(app, 'finalizer_dead_lettered_orders_total', 'outcome="failed"'), 1)
  },
)

t.test('a poison message is dead-lettered and kept there, logged, never fatal', async (t) => {
  const app = await startFinalizer(t, world.config())
  await sendMessage(world, '{"v":2,"surprise":true}')
  await sendMessage(world, 'not json at all')
  t.ok(
    await eventually(
      async () => (await metric(app, 'finalizer_poison_messages_total', 'queue="dlq"')) >= 2,
      500,
    ),
  )
  t.equal(await depth(world.sqs, world.queueUrl), 0)
  t.equal(await depth(world.sqs, world.dlqUrl), 2, 'kept for a person to inspect')
  // The worker is still healthy and finalizes the next order.
  const product = await insertProduct(world.db, 1)
  const message = await acceptOrder(world, product)
  t.ok(
    await eventually(
      async () => (await statusesOf(world.db, [message.order_uuid]))[0]?.status === 'completed',
    ),
  )
})

t.test('a pending order whose message was lost is re-sent by the stale sweep', async (t) => {
  await startFinalizer(t, world.config(), { staleAfterMs: 1_000, staleSweepIntervalMs: 100 })
  const product = await insertProduct(world.db, 2)
  const message = await acceptOrder(world, product, { send: false })
  await sql`update orders set created_at = current_timestamp(3) - interval 1 hour
    where order_uuid = ${message.order_uuid}`.execute(world.db)
  t.ok(
    await eventually(
      async () => (await statusesOf(world.db, [message.order_uuid]))[0]?.status === 'completed',
    ),
  )
  t.equal(await available(world, product), 1)
})
