import { createServer } from 'node:net'
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs'
import { ensureQueues, startSqsEmulator } from '@flash/queue'
import { sql } from 'kysely'
import t from 'tap'
import {
  available,
  createProduct,
  createWorld,
  eventually,
  metric,
  newBuyer,
  order,
  startApp,
} from './helpers.ts'

// Every failure after the reservation must leave nothing behind: no row, stock back in inventory.
const world = await createWorld(t, 'failures')
const countRows = async (userId: number) =>
  Number(
    (
      await world.db
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow()
    ).n,
  )

t.test('inventory unreachable: 503 with Retry-After, nothing written', async (t) => {
  const app = await startApp(t, world.config({ INVENTORY_URL: 'http://127.0.0.1:9' }))
  const buyer = await newBuyer(world)
  const res = await order(app, buyer, { product_id: 1, quantity: 1 })
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'dependency_unavailable')
  t.equal(res.headers['retry-after'], '1')
  t.equal(await countRows(buyer.id), 0)
})

t.test('inventory hanging past the timeout: 503', async (t) => {
  const sockets = new Set<import('node:net').Socket>()
  const hang = createServer((socket) => sockets.add(socket))
  await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    hang.close()
  })
  const port = (hang.address() as import('node:net').AddressInfo).port
  const app = await startApp(
    t,
    world.config({ INVENTORY_URL: `http://127.0.0.1:${port}`, INVENTORY_TIMEOUT_MS: '100' }),
  )
  const res = await order(app, await newBuyer(world), { product_id: 1, quantity: 1 })
  t.equal(res.statusCode, 503)
})

t.test('the order insert fails: reservation released, 503', async (t) => {
  const app = await startApp(t, world.config())
  const product = await createProduct(world, { stock: 3 })
  const buyer = await newBuyer(world)
  await sql`create trigger refuse_orders before insert on orders for each row
    signal sqlstate '45000' set message_text = 'injected failure'`.execute(world.db)
  t.teardown(() => sql`drop trigger if exists refuse_orders`.execute(world.db))
  const res = await order(app, buyer, { product_id: product, quantity: 2 })
  t.equal(res.statusCode, 503)
  t.equal(res.headers['retry-after'], '1')
  t.equal(await countRows(buyer.id), 0)
  t.equal(await available(world, product), 3, 'reservation released')
  t.equal(await metric(app, 'order_compensations_total', 'step="insert"'), 1)
  await sql`drop trigger refuse_orders`.execute(world.db)
})

// The pending row is the outbox: once it is written the order is accepted, whatever SQS does, and the
// finalizer's stale-pending sweep sends what the intake could not. Never a 503 for a written order
// (its retry would place a second one), never a 202 without its row.
t.test('the orders queue does not exist: accepted into the outbox, not ready', async (t) => {
  const app = await startApp(t, world.config({ ORDERS_QUEUE_NAME: 'no-such-queue' }))
  const product = await createProduct(world, { stock: 3 })
  const buyer = await newBuyer(world)
  const res = await order(app, buyer, { product_id: product, quantity: 1 })
  t.equal(res.statusCode, 202)
  t.equal(await countRows(buyer.id), 1, 'the row is written, pending')
  t.equal(await available(world, product), 2, 'its unit stays reserved')
  t.equal(await metric(app, 'order_intake_total', 'outcome="accepted_unsent"'), 1)
  const ready = await app.inject({ method: 'GET', url: '/ready' })
  t.equal(ready.statusCode, 503)
  t.equal(ready.json().checks.sqs, 'down')
})

t.test('SQS stops: the order is still accepted, its row pending for the stale sweep', async (t) => {
  const app = await startApp(t, world.config(), { sqsTimeoutMs: 500 })
  const product = await createProduct(world, { stock: 3 })
  const buyer = await newBuyer(world)
  t.equal(
    (await order(app, buyer, { product_id: product, quantity: 1 })).statusCode,
    202,
    'works while SQS is up',
  )
  await world.emulator.stop()
  const res = await order(app, buyer, { product_id: product, quantity: 1 })
  t.equal(res.statusCode, 202)
  const row = await world.db
    .selectFrom('orders')
    .select(['status'])
    .where('order_uuid', '=', res.json().order_uuid)
    .executeTakeFirst()
  t.equal(row?.status, 'pending', 'a 202 always has its row')
  t.equal(await countRows(buyer.id), 2)
  t.equal(await available(world, product), 1, 'both orders hold their units')
  t.equal(await metric(app, 'order_compensations_total', 'step="send"'), 0, 'nothing undone')

  // SQS comes back (same endpoint, its queues recreated): the instance re-sends on its own, without
  // waiting for the finalizer's stale-pending sweep.
  const emulator = await startSqsEmulator({ port: world.emulator.port })
  t.teardown(() => emulator.stop())
  await ensureQueues(world.sqs, {
    queueName: world.env.ORDERS_QUEUE_NAME!,
    dlqName: world.env.ORDERS_DLQ_NAME!,
  })
  const bodies: string[] = []
  t.ok(
    await eventually(
      async () => {
        const out = await world.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: world.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
          }),
        )
        for (const m of out.Messages ?? []) bodies.push(m.Body ?? '')
        return bodies.some((b) => b.includes(res.json().order_uuid))
      },
      100,
      100,
    ),
    'the order accepted during the outage reached the queue',
  )
  t.equal(await metric(app, 'order_intake_total', 'outcome="resent"'), 1)
})
