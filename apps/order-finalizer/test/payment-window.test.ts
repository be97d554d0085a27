import { expireDueOrders } from '@flash/db'
import { eventually, metricValue } from '@flash/test-kit'
import { sql } from 'kysely'
import t from 'tap'
import { acceptOrder, available, createWorld, sendMessage, startFinalizer } from './helpers.ts'
import { insertProduct, stockOf } from './fixtures.ts'

const world = await createWorld(t, 'pay-window')
// No pass of its own during the tests that drive it by hand.
const config = world.config({ PAYMENT_WINDOW_SECONDS: '900' })

const orderRow = (uuid: string) =>
  world.db
    .selectFrom('orders')
    .select([
      'status',
      'failed_reason',
      'pay_by',
      'units_returned_at',
      // From the commit (the UPDATE that set pay_by), not the insert: a busy queue may sit between them.
      sql<number>`timestampdiff(second, updated_at, pay_by)`.as('window'),
    ])
    .where('order_uuid', '=', uuid)
    .executeTakeFirstOrThrow()

const makeDue = (uuids: string[]) =>
  world.db
    .updateTable('orders')
    .set({ pay_by: sql<Date>`current_timestamp(3) - interval 1 second` })
    .where('order_uuid', 'in', uuids)
    .execute()

t.test('with a window, the commit ends the order awaiting payment, holding its unit', async (t) => {
  await startFinalizer(t, config, { expiryIntervalMs: 60_000 })
  const product = await insertProduct(world.db, 3)
  const instant = await insertProduct(world.db, 3)
  await world.db
    .updateTable('products')
    .set({ payment_window_seconds: 0 })
    .where('id', '=', instant)
    .execute()
  const waits = await acceptOrder(world, product, { userId: 7 })
  const completes = await acceptOrder(world, instant, { userId: 7 })
  await eventually(async () => (await orderRow(waits.order_uuid)).status === 'awaiting_payment')
  await eventually(async () => (await orderRow(completes.order_uuid)).status === 'completed')
  const row = await orderRow(waits.order_uuid)
  t.ok(Number(row.window) >= 899 && Number(row.window) <= 900, `pay_by = commit + 900 s (${row.window})`)
  t.equal(await stockOf(world.db, product), 2, 'the unit is taken from stock at commit')
  t.equal(await available(world, product), 2, 'and stays taken in Redis')
  t.equal((await orderRow(completes.order_uuid)).pay_by, null, "a product's window of 0 completes at commit")
})

t.test('not paid by pay_by: expired, the unit back on sale in MySQL and Redis, bought again', async (t) => {
  await startFinalizer(t, config, { expiryIntervalMs: 100 })
  const product = await insertProduct(world.db, 1)
  const first = await acceptOrder(world, product, { userId: 11 })
  await eventually(async () => (await orderRow(first.order_uuid)).status === 'awaiting_payment')
  t.equal(await available(world, product), 0, 'sold out while it waits')
  await makeDue([first.order_uuid])
  await eventually(async () => (await orderRow(first.order_uuid)).units_returned_at !== null)
  t.equal((await orderRow(first.order_uuid)).status, 'expired')
  t.equal(await stockOf(world.db, product), 1)
  t.equal(await available(world, product), 1)

  const second = await acceptOrder(world, product, { userId: 12 })
  await eventually(async () => (await orderRow(second.order_uuid)).status === 'awaiting_payment')
  t.equal(await stockOf(world.db, product), 0, 'the returned unit sold once more')
  t.equal(await available(world, product), 0)
})

t.test('two expiry workers over many due orders return every unit exactly once', async (t) => {
  const product = await insertProduct(world.db, 40)
  const a = await startFinalizer(t, config, { expiryIntervalMs: 60_000 })
  const orders = []
  for (let i = 0; i < 40; i++) orders.push(await acceptOrder(world, product, { userId: 100 + i }))
  await eventually(async () => (await stockOf(world.db, product)) === 0)
  await a.close()
  await makeDue(orders.map((o) => o.order_uuid))
  // Two instances racing on the same rows, each pass as small as the other's.
  await startFinalizer(t, config, { expiryIntervalMs: 100 })
  await startFinalizer(t, config, { expiryIntervalMs: 100 })
  await eventually(async () => {
    const owed = await world.db
      .selectFrom('orders')
      .select('id')
      .where('product_id', '=', product)
      .where((eb) => eb.or([eb('status', '!=', 'expired'), eb('units_returned_at', 'is', null)]))
      .execute()
    return owed.length === 0
  })
  t.equal(await stockOf(world.db, product), 40, 'MySQL: every unit back once')
  t.equal(await available(world, product), 40, 'Redis: every unit back once')
})

t.test('an expiry killed after its MySQL commit: the next pass delivers the Redis return', async (t) => {
  const product = await insertProduct(world.db, 2)
  const app = await startFinalizer(t, config, { expiryIntervalMs: 60_000 })
  const o = await acceptOrder(world, product, { userId: 21 })
  await eventually(async () => (await orderRow(o.order_uuid)).status === 'awaiting_payment')
  await app.close()
  await makeDue([o.order_uuid])
  // The pass's first step alone, as if the process died before telling inventory.
  t.equal((await expireDueOrders(world.db, 100)).length, 1)
  t.equal(await stockOf(world.db, product), 2)
  t.equal(await available(world, product), 1, 'Redis has not heard of it yet')
  await startFinalizer(t, config, { expiryIntervalMs: 100 })
  await eventually(async () => (await orderRow(o.order_uuid)).units_returned_at !== null)
  t.equal(await available(world, product), 2)
  // A redelivered order message settles the expired order again (a return, now a no-op), and the next
  // buyer's order goes through behind it.
  await sendMessage(world, JSON.stringify(o))
  await acceptOrder(world, product, { userId: 22 })
  await eventually(async () => (await stockOf(world.db, product)) === 1)
  t.equal(await available(world, product), 1, 'nothing returned twice')
})

t.test('Redis lost the commit tombstone: the return does nothing, the reconciler converges', async (t) => {
  const product = await insertProduct(world.db, 2)
  const app = await startFinalizer(t, config, { expiryIntervalMs: 100 })
  const o = await acceptOrder(world, product, { userId: 31 })
  const outcome = `inv:{p:${product}}:outcome`
  // Committed in Redis too (the settle follows the MySQL commit).
  await eventually(async () => (await world.inventory.redis.hget(outcome, o.reservation_id)) === 'c')
  // The tombstone that says "committed" is gone (lost, trimmed): the return cannot tell whether this
  // state already includes the unit, so it must not add it.
  await world.inventory.redis.del(outcome)
  const noops = () =>
    metricValue(world.inventory, 'inventory_settles_total', 'outcome="return",status="noop"')
  const before = await noops()
  await makeDue([o.order_uuid])
  await eventually(async () => (await orderRow(o.order_uuid)).units_returned_at !== null)
  t.equal(await stockOf(world.db, product), 2)
  t.equal(await noops(), before + 1, 'the return added nothing on a guess')
  await app.close()
  // The inventory app's own pass (its interval is longer than this test).
  const inventory = world.inventory as typeof world.inventory & {
    reconciler: { runOnce(): Promise<unknown> }
  }
  await inventory.reconciler.runOnce()
  t.equal(await available(world, product), 2, 'stock − Σ pending: the quiet product is repaired')
})

t.test(
  'per-user limit: awaiting and paid units count, expired ones are the buyer’s to buy again',
  async (t) => {
    await startFinalizer(t, config, { expiryIntervalMs: 100 })
    const product = await insertProduct(world.db, 10, { maxPerUser: 1 })
    const buyer = 41
    const first = await acceptOrder(world, product, { userId: buyer })
    await eventually(async () => (await orderRow(first.order_uuid)).status === 'awaiting_payment')
    // Redis's per-user filter forgot the held unit: MySQL's guard counts the awaiting order.
    await world.inventory.redis.hdel(`inv:{p:${product}}:users`, String(buyer))
    const second = await acceptOrder(world, product, { userId: buyer })
    await eventually(async () => (await orderRow(second.order_uuid)).status === 'failed')
    t.equal((await orderRow(second.order_uuid)).failed_reason, 'per_user_limit')
    await makeDue([first.order_uuid])
    await eventually(async () => (await orderRow(first.order_uuid)).units_returned_at !== null)
    // Expired: the unit is back, and so is the buyer's allowance (in Redis and in MySQL's count).
    const third = await acceptOrder(world, product, { userId: buyer })
    await eventually(async () => (await orderRow(third.order_uuid)).status === 'awaiting_payment')
    t.equal(await stockOf(world.db, product), 9)
  },
)
