import { createDb, newUuid } from '@flash/db'
import { productKeys as productKeysOf } from '@flash/inventory-service'
import { TcpProxy, TEST_REDIS_URL } from '@flash/test-kit'
import { Redis } from 'ioredis'
import t from 'tap'
import { insertPendingOrder, insertProduct, statusesOf, stockOf } from './fixtures.ts'
import {
  acceptOrder,
  available,
  createWorld,
  eventually,
  reserveInInventory,
  sendMessage,
  startFinalizer,
} from './helpers.ts'

// Issue 13, item 1: Redis's per-user counts are a filter. Here they are deliberately wrong while orders
// flow — deleted, then rolled back to an older value — so Redis accepts one buyer far beyond the limit;
// the finalizer's check under the product row lock still completes no more than max_per_user.
const world = await createWorld(t, 'per-user')
const redis = new Redis(TEST_REDIS_URL, { keyPrefix: world.inventoryEnv.REDIS_KEY_PREFIX })
t.teardown(() => redis.quit())

t.test('a buyer completes at most max_per_user whatever Redis forgot', async (t) => {
  await startFinalizer(t, world.config())
  const product = await insertProduct(world.db, 20, { maxPerUser: 2 })
  const users = `inv:{p:${product}}:users`
  const buyer = 5
  const orders = []
  for (let round = 0; round < 6; round++) {
    orders.push(await acceptOrder(world, product, { userId: buyer, quantity: 1 }))
    // Redis forgets what the buyer holds: the key lost (even rounds) or rolled back to an old count.
    if (round % 2 === 0) await redis.del(users)
    else await redis.hset(users, String(buyer), '0')
  }
  orders.push(await acceptOrder(world, product, { userId: 6, quantity: 2 }))
  const uuids = orders.map((o) => o.order_uuid)
  t.ok(
    await eventually(async () =>
      (await statusesOf(world.db, uuids)).every((r) => r?.status === 'completed' || r?.status === 'failed'),
    ),
    'every order terminal',
  )
  const rows = await statusesOf(world.db, uuids)
  const mine = rows.slice(0, 6)
  t.equal(mine.filter((r) => r?.status === 'completed').length, 2, 'the buyer completed exactly the limit')
  t.same(
    mine.filter((r) => r?.status === 'failed').map((r) => r?.failed_reason),
    Array(4).fill('per_user_limit'),
  )
  t.match(rows[6], { status: 'completed' }, 'another buyer is unaffected')
  t.equal(await stockOf(world.db, product), 16)
  t.ok(
    await eventually(async () => (await available(world, product)) === 16),
    'the refused orders’ reservations were released: Redis agrees with MySQL',
  )
})

// The reproduction: an intake's INSERT stalls (a TCP proxy in front of MySQL) past the settle
// window while Redis loses the product; the warm-up rebuilds without that row, so Redis lets the same
// buyer (max_per_user 1) reserve again. Both rows reach MySQL; only one may complete.
t.test('an INSERT stalled past the settle window cannot take the buyer past the limit', async (t) => {
  await startFinalizer(t, world.config())
  const product = await insertProduct(world.db, 10, { maxPerUser: 1 })
  const buyer = 21
  const proxy = await TcpProxy.start({ host: '127.0.0.1', port: 3306 })
  t.teardown(() => proxy.close())
  const stalledDb = createDb({ url: proxy.url(world.env.DATABASE_URL!), poolSize: 1 })
  t.teardown(() => stalledDb.destroy())
  await stalledDb.selectFrom('products').select('id').limit(1).execute() // connected before the stall

  const first = newUuid()
  t.equal((await reserveFor(product, buyer, first)).json().ok, true)
  proxy.stall()
  const stalledInsert = insertPendingOrder(stalledDb, product, { userId: buyer, reservationId: first })
  // Redis loses the product; its rebuild waits out the settle window and then reads MySQL without the row.
  await redis.del(...Object.values(productKeysOf(product)))
  const second = newUuid()
  t.ok(
    await eventually(async () => (await reserveFor(product, buyer, second)).statusCode === 200, 200, 50),
    'served again after the window, from a state that does not know the stalled order',
  )
  t.equal((await reserveFor(product, buyer, newUuid())).json().reason, 'per_user_limit', 'Redis counts one')
  proxy.resume()
  const messages = [
    await stalledInsert,
    await insertPendingOrder(world.db, product, { userId: buyer, reservationId: second }),
  ]
  for (const m of messages) await sendMessage(world, JSON.stringify(m))
  const uuids = messages.map((m) => m.order_uuid)
  t.ok(
    await eventually(async () =>
      (await statusesOf(world.db, uuids)).every((r) => r?.status === 'completed' || r?.status === 'failed'),
    ),
  )
  const rows = await statusesOf(world.db, uuids)
  t.equal(
    rows.filter((r) => r?.status === 'completed').length,
    1,
    'one unit for the buyer, as the limit says',
  )
  t.equal(rows.filter((r) => r?.failed_reason === 'per_user_limit').length, 1)
})

async function reserveFor(productId: number, userId: number, reservationId: string) {
  const res = await reserveInInventory(world, [
    { reservation_id: reservationId, product_id: productId, user_id: userId, quantity: 1 },
  ])
  return { statusCode: res.statusCode, json: () => res.results()[0] }
}
