import { createRedis } from '@flash/service-kit'
import { eventually, TcpProxy, TEST_REDIS_URL } from '@flash/test-kit'
import type { KyselyPlugin } from 'kysely'
import t from 'tap'
import { reconcileProducts } from '../src/repair/reconciler.ts'
import { StockStore } from '../src/stock/index.ts'
import {
  createProduct,
  createWorld,
  insertOrder,
  reservationId,
  reserve,
  startApp,
  stockState,
} from './helpers.ts'

// Issue 13, item 3: a reconciler pass probes a product, reads MySQL, and stalls before its compare-and-
// set reaches Redis. Meanwhile the product takes an order, Redis loses it and the warm-up rebuilds it
// (seq back to 0). The stale write must be refused: its numbers describe a state that no longer exists.
const world = await createWorld(t, 'inv-reconcile-rebuild')
const app = await startApp(t, world.config())

t.test('a pass stalled across a wipe and rebuild writes nothing', async (t) => {
  const redisUrl = new URL(TEST_REDIS_URL)
  const proxy = await TcpProxy.start({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) })
  t.teardown(() => proxy.close())
  // The pass's own Redis connection, through the proxy: its probe goes through, its write is held.
  const redis = createRedis({ url: proxy.url(TEST_REDIS_URL), keyPrefix: world.prefix })
  await redis.connect()
  t.teardown(() => redis.disconnect())
  let readDone = false
  // Stalls the pass's Redis link the moment its MySQL read has answered (a real stall, on a real socket).
  const stallAfterRead: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      if (!readDone) {
        readDone = true
        proxy.stall()
      }
      return args.result
    },
  }
  const id = await createProduct(app, world, { stock: 10 })
  const pass = reconcileProducts(
    { db: world.db.withPlugin(stallAfterRead), stock: new StockStore(redis), log: app.log },
    [id],
    Date.now(),
  )
  t.ok(await eventually(async () => readDone, 100, 20), 'probed and read MySQL: available 10 expected')
  // The product moves on: an order, then Redis loses the product and the warm-up rebuilds it.
  const r = reservationId()
  t.equal(
    (await reserve(app, { product_id: id, user_id: 3, quantity: 2, reservation_id: r })).json().ok,
    true,
  )
  await insertOrder(world.db, { product_id: id, user_id: 3, quantity: 2, reservation_id: r })
  await world.dropState(id)
  t.equal(await app.warmer.warm(id), 8, 'rebuilt: 10 − 2 pending, seq 0 again')
  proxy.resume()
  t.match(await pass, { repaired: 0 })
  t.match(await stockState(app, id), { redis: { available: 8, repairs: 0, counted: 1 } }, 'no drift')
})
