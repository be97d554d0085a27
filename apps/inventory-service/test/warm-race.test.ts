import t from 'tap'
import { readWarmSource } from '../src/repositories/orders.ts'
import { productKeys } from '../src/stock/index.ts'
import {
  createProduct,
  createWorld,
  insertOrder,
  reservationId,
  reserve,
  startApp,
  stockState,
} from './helpers.ts'

// Issue 13, item 2: a settle that lands while a warm-up runs. The warm-up has read the order as pending;
// the finalizer then settles it against the cold state (only a tombstone is written); then the warm-up
// writes what it read. The steps run in that order here, each one as the service runs it.
const world = await createWorld(t, 'inv-warm-race')
const app = await startApp(t, world.config())

async function lostWithPendingOrder(stock: number, quantity: number, userId: number) {
  const id = await createProduct(app, world, { stock, max_per_user: 5 })
  const r = reservationId()
  t.equal(
    (await reserve(app, { product_id: id, user_id: userId, quantity, reservation_id: r })).json().ok,
    true,
  )
  await insertOrder(world.db, { product_id: id, user_id: userId, quantity, reservation_id: r })
  await world.dropState(id)
  // The warm-up's MySQL read: the order is pending.
  const source = await readWarmSource(world.db, id)
  if (!source) throw new Error('no product')
  return { id, r, source }
}

t.test('a release during the warm-up: the units are for sale again and nothing stays counted', async (t) => {
  const { id, r, source } = await lostWithPendingOrder(10, 2, 4)
  // The order fails in MySQL and its release meets the cold state.
  await world.db.updateTable('orders').set({ status: 'failed' }).where('reservation_id', '=', r).execute()
  t.match(await app.stock.release(id, r, 2, 4, Date.now()), { status: 'cold' })
  // The warm-up writes the state it read.
  t.match(await app.stock.warm(id, source, Date.now()), { warmed: true })
  t.match(await stockState(app, id), {
    redis: { available: 10, counted: 0, user_units: 0 },
    mysql: { stock: 10, pending_qty: 0 },
  })
  t.match(await app.reconciler.runOnce(), { checked: 1 }, 'the product is quiet: the reconciler compares it')
  t.equal(
    (await reserve(app, { product_id: id, user_id: 4, quantity: 5 })).json().ok,
    true,
    'the buyer’s allowance came back too',
  )
})

t.test('a commit during the warm-up: the units stay sold and nothing stays counted', async (t) => {
  const { id, r, source } = await lostWithPendingOrder(10, 3, 6)
  await world.db.updateTable('orders').set({ status: 'completed' }).where('reservation_id', '=', r).execute()
  await world.db.updateTable('products').set({ stock: 7 }).where('id', '=', id).execute()
  t.match(await app.stock.commit(id, r, Date.now()), { status: 'unknown' })
  await app.stock.warm(id, source, Date.now())
  t.match(await stockState(app, id), {
    redis: { available: 7, counted: 0, user_units: 3 },
    mysql: { stock: 7, pending_qty: 0 },
  })
  t.match(await app.reconciler.runOnce(), { checked: 1 })
})

t.test('a settle that meets a tombstone still clears its counted entry', async (t) => {
  const id = await createProduct(app, world, { stock: 4 })
  const r = reservationId()
  t.equal(
    (await reserve(app, { product_id: id, user_id: 8, quantity: 1, reservation_id: r })).json().ok,
    true,
  )
  t.match(await app.stock.commit(id, r, Date.now()), { status: 'committed' })
  // A counted entry next to its tombstone (as a warm-up that did not look at tombstones left it).
  await world.redis.hset(productKeys(id).counted, r, '1:8')
  t.match(await app.stock.commit(id, r, Date.now()), { status: 'already_committed' })
  t.match(await stockState(app, id), { redis: { counted: 0 } })
  await world.redis.hset(productKeys(id).counted, r, '1:8')
  t.match(await app.stock.release(id, r, 1, 8, Date.now()), { status: 'already_committed' })
  t.match(await stockState(app, id), { redis: { counted: 0, available: 3 } })
})
