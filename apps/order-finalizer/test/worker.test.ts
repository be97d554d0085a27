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
} from './helpers.ts'

const world = await createWorld(t, 'worker')

const allTerminal = (uuids: string[]) => async () =>
  (await statusesOf(world.db, uuids)).every((r) => r?.status === 'completed' || r?.status === 'failed')

t.test('completes a batch, decrements stock exactly and commits the reservations', async (t) => {
  const app = await startFinalizer(t, world.config())
  const product = await insertProduct(world.db, 10)
  const msgs = []
  for (let i = 0; i < 5; i++)
    msgs.push(await acceptOrder(world, product, { userId: 10 + i, quantity: 1 + (i % 2) }))
  const uuids = msgs.map((m) => m.order_uuid)
  t.ok(await eventually(allTerminal(uuids)), 'all orders terminal')
  t.same(
    (await statusesOf(world.db, uuids)).map((r) => r?.status),
    Array(5).fill('completed'),
  )
  t.equal(await stockOf(world.db, product), 10 - 7)
  t.equal(await available(world, product), 3, 'inventory agrees with MySQL (I4)')
  t.ok(await eventually(async () => (await depth(world.sqs, world.queueUrl)) === 0), 'messages deleted')
  t.equal(await metric(app, 'finalizer_orders_total', 'outcome="completed"'), 5)
})

t.test('insufficient MySQL stock: the order fails and its reservation is released', async (t) => {
  await startFinalizer(t, world.config())
  const product = await insertProduct(world.db, 5)
  const message = await acceptOrder(world, product, { quantity: 3, send: false })
  t.equal(await available(world, product), 2)
  // MySQL is the final guard: make it disagree with Redis (as after a lost Redis write).
  await world.db.updateTable('products').set({ stock: 1 }).where('id', '=', product).execute()
  await sendMessage(world, JSON.stringify(message))
  t.ok(await eventually(allTerminal([message.order_uuid])))
  const [row] = await statusesOf(world.db, [message.order_uuid])
  t.match(row, { status: 'failed', failed_reason: 'insufficient_stock' })
  t.equal(await stockOf(world.db, product), 1, 'stock untouched')
  t.ok(
    await eventually(async () => (await available(world, product)) === 5),
    'reservation released in inventory',
  )
})

t.test('a duplicated message decrements stock once', async (t) => {
  await startFinalizer(t, world.config())
  const product = await insertProduct(world.db, 10)
  const message = await acceptOrder(world, product, { quantity: 2 })
  await sendMessage(world, JSON.stringify(message))
  await sendMessage(world, JSON.stringify(message))
  t.ok(await eventually(allTerminal([message.order_uuid])))
  t.ok(
    await eventually(async () => (await depth(world.sqs, world.queueUrl)) === 0),
    'all three deliveries handled',
  )
  await sendMessage(world, JSON.stringify(message))
  t.ok(await eventually(async () => (await depth(world.sqs, world.queueUrl)) === 0), 'a late duplicate too')
  t.equal(await stockOf(world.db, product), 8)
  t.equal(await available(world, product), 8)
})

t.test('two finalizers on one hot product never oversell', async (t) => {
  await startFinalizer(t, world.config({ CONSUMERS: '3' }))
  await startFinalizer(t, world.config({ CONSUMERS: '3' }))
  const product = await insertProduct(world.db, 60)
  const msgs = []
  for (let i = 0; i < 40; i++)
    msgs.push(await acceptOrder(world, product, { userId: 100 + i, quantity: 1 + (i % 2), send: false }))
  // 60 units reserved in Redis, but MySQL holds only 45: the row lock must arbitrate.
  await world.db.updateTable('products').set({ stock: 45 }).where('id', '=', product).execute()
  await Promise.all(msgs.map((m) => sendMessage(world, JSON.stringify(m))))
  const uuids = msgs.map((m) => m.order_uuid)
  t.ok(await eventually(allTerminal(uuids), 500))
  const rows = await statusesOf(world.db, uuids)
  const sold = msgs.reduce((sum, m, i) => sum + (rows[i]?.status === 'completed' ? m.quantity : 0), 0)
  t.equal(await stockOf(world.db, product), 45 - sold, 'stock fell by exactly the completed quantity')
  t.ok(sold <= 45 && sold >= 44, `sold ${sold} of 45`)
  t.ok(rows.filter((r) => r?.status === 'failed').every((r) => r?.failed_reason === 'insufficient_stock'))
})

t.test('a message whose order row is gone (intake rolled back) is acknowledged', async (t) => {
  await startFinalizer(t, world.config())
  const product = await insertProduct(world.db, 3)
  const message = await acceptOrder(world, product, { send: false })
  await world.db.deleteFrom('orders').where('order_uuid', '=', message.order_uuid).execute()
  await sendMessage(world, JSON.stringify(message))
  t.ok(await eventually(async () => (await depth(world.sqs, world.queueUrl)) === 0))
  t.equal(await stockOf(world.db, product), 3)
})

t.test('health, readiness and metrics on the HTTP side', async (t) => {
  const app = await startFinalizer(t, world.config())
  t.same((await app.inject('/health')).json(), { status: 'ok' })
  const ready = await app.inject('/ready')
  t.equal(ready.statusCode, 200, ready.body)
  t.same(Object.keys(ready.json().checks).toSorted(), [
    'consumers',
    'dead_letter_queue',
    'inventory',
    'mysql',
    'orders_queue',
  ])
  t.match((await app.inject('/metrics')).body, /finalizer_batch_size/)
  t.equal((await app.inject('/api/orders')).statusCode, 404, 'no public API here')
})
