import { TEST_REDIS_URL } from '@flash/test-kit'
import { Redis } from 'ioredis'
import t from 'tap'
import { insertProduct, statusesOf, stockOf } from './fixtures.ts'
import { acceptOrder, available, createWorld, eventually, startFinalizer } from './helpers.ts'

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
