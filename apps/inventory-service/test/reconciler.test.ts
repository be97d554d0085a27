import { metricValue } from '@flash/test-kit'
import t from 'tap'
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

// Drift is injected the way faults leave it: Redis written behind the engine's back (a settle that
// was lost, a restock step that never ran), MySQL untouched. The reconciler must bring a quiet product
// back to available = stock − Σ pending, and leave a busy one alone.
const world = await createWorld(t, 'inv-reconcile')
const app = await startApp(t, world.config(), { reconciler: false })
const drift = (id: number, delta: number) => world.redis.incrby(productKeys(id).available, delta)

t.test('a quiet product that drifted either way is repaired, logged in its state and counted', async (t) => {
  const high = await createProduct(app, world, { stock: 10 })
  const low = await createProduct(app, world, { stock: 10 })
  t.equal((await reserve(app, { product_id: low, user_id: 9, quantity: 1 })).json().ok, true)
  // That reservation vanishes behind the engine's back (as if its settle had been lost)…
  await world.redis.del(productKeys(low).res, productKeys(low).exp)
  await drift(high, 3) // Redis offers 3 units MySQL does not have
  await drift(low, -4) // …and 4 more that MySQL has are hidden as well
  const counts = await app.reconciler.runOnce()
  t.match(counts, { repaired: 2 })
  t.match(await stockState(app, high), { redis: { available: 10, repairs: 1, last_repair_delta: -3 } })
  t.match(await stockState(app, low), { redis: { available: 10, repairs: 1, last_repair_delta: 5 } })
  t.equal(await metricValue(app, 'inventory_reconcile_repairs_total', 'direction="down"'), 1)
  t.equal(await metricValue(app, 'inventory_reconcile_repairs_total', 'direction="up"'), 1)
  t.equal(await metricValue(app, 'inventory_reconcile_units_total', 'direction="up"'), 5)
  t.match(await app.reconciler.runOnce(), { repaired: 0 }, 'in sync: a second pass changes nothing')
})

t.test('a product with a reservation in flight is not touched', async (t) => {
  const id = await createProduct(app, world, { stock: 5 })
  t.equal((await reserve(app, { product_id: id, user_id: 2, quantity: 1 })).json().ok, true)
  await drift(id, 2)
  await app.reconciler.runOnce()
  t.match(await stockState(app, id), { redis: { available: 6, repairs: 0 } }, 'left for a quiet moment')
})

t.test('a repair applies only to the state it probed: a change in between makes it skip', async (t) => {
  const id = await createProduct(app, world, { stock: 5 })
  await drift(id, 1)
  const [probe] = await app.stock.probe([id])
  // An order comes and goes between the probe and the repair (reserve, then release).
  const r = reservationId()
  await reserve(app, { product_id: id, user_id: 3, quantity: 1, reservation_id: r })
  await app.stock.release(id, r, 1, 3, Date.now())
  t.same(await app.stock.reconcile(id, probe!, 5, 5, Date.now()), { status: 'moved' })
  t.same(await app.stock.reconcile(id, (await app.stock.probe([id]))[0]!, 5, 5, Date.now()), {
    status: 'repaired',
    delta: -1,
  })
})

t.test('every instance may reconcile at once: one repair, never two', async (t) => {
  const other = await startApp(t, world.config(), { reconciler: false })
  const id = await createProduct(app, world, { stock: 7 })
  await drift(id, 4)
  const results = await Promise.all([app.reconciler.runOnce(), other.reconciler.runOnce()])
  t.equal(results[0].repaired + results[1].repaired >= 1, true)
  t.match(await stockState(app, id), { redis: { available: 7, repairs: 1 } })
})

t.test(
  'orders a rebuild counted hold the product back until settled; a lost settle is applied',
  async (t) => {
    const id = await createProduct(app, world, { stock: 10 })
    const lost = reservationId()
    await insertOrder(world.db, { product_id: id, user_id: 4, quantity: 3, reservation_id: lost })
    await world.dropState(id)
    await app.warmer.warm(id) // counts the pending order: available 7
    // The finalizer completes it in MySQL, then dies before its Redis settle.
    await world.db
      .updateTable('orders')
      .set({ status: 'completed' })
      .where('reservation_id', '=', lost)
      .execute()
    await world.db.updateTable('products').set({ stock: 7 }).where('id', '=', id).execute()
    await drift(id, 2) // and some unrelated drift
    await app.reconciler.runOnce()
    t.match(
      await stockState(app, id),
      { redis: { counted: 0, available: 9, repairs: 0 } },
      'settled, not compared yet',
    )
    await app.reconciler.runOnce()
    t.match(
      await stockState(app, id),
      { redis: { available: 7, repairs: 1 } },
      'then repaired to 7 − 0 pending',
    )
  },
)
