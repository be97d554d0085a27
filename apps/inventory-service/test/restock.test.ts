import t from 'tap'
import { type RestockedRow, restockProduct } from '../src/repositories/products.ts'
import { applyRestock } from '../src/products/restock.ts'
import {
  bearer,
  createProduct,
  createWorld,
  insertOrder,
  post,
  reservationId,
  reserve,
  startApp,
  stockState,
} from './helpers.ts'

const world = await createWorld(t, 'inv-restock')
const app = await startApp(t, world.config())
const admin = bearer(await world.token('admin'))
const restock = (id: number, quantity: number, via = app) =>
  post(via, `/api/products/${id}/restock`, { quantity }, admin)

/** A sale's accepted orders: reserved in Redis and recorded pending in MySQL, like order-service does. */
async function pendingOrders(id: number, count: number) {
  for (let i = 0; i < count; i++) {
    const reservation_id = reservationId()
    t.equal(
      (await reserve(app, { product_id: id, user_id: 500 + i, quantity: 1, reservation_id })).json().ok,
      true,
    )
    await insertOrder(world.db, { product_id: id, user_id: 500 + i, quantity: 1, reservation_id })
  }
}

t.test('restock during live reservations', async (t) => {
  const id = await createProduct(app, world, { stock: 10 })
  await pendingOrders(id, 4)
  const res = await restock(id, 5)
  t.equal(res.statusCode, 200)
  t.equal(res.json().stock, 11, '10 − 4 reserved + 5')
  t.match(await stockState(app, id), {
    redis: { available: 11, reservations: 4, supplied: 15 },
    mysql: { stock: 15, supplied: 15, pending_qty: 4 },
  })
})

t.test(
  'MySQL restock committed → state lost → warm-up reads the new stock → Redis step: counted once',
  async (t) => {
    const id = await createProduct(app, world, { stock: 100 })
    await pendingOrders(id, 3)
    const row = (await restockProduct(app.db, id, 50)) as RestockedRow // the route's MySQL step…
    await world.dropState(id) // …Redis loses the state…
    t.equal(
      (await app.inject({ method: 'GET', url: `/api/products/${id}` })).json().stock,
      147,
      '…a read warms up: 150 − 3',
    )
    t.equal(await applyRestock(app, id, row.supplied), 147, '…and the route’s Redis step adds nothing more')
    t.match(await stockState(app, id), { redis: { available: 147, supplied: 150 } })
  },
)

t.test(
  'a warm-up that read MySQL before the restock but wrote after it: the units still arrive',
  async (t) => {
    const id = await createProduct(app, world, { stock: 20 })
    await world.dropState(id)
    // The stale warm-up's view: stock 20, supplied 20 (read before the restock committed).
    const stale = { stock: 20, supplied: 20, pendingQty: 0, priceCents: 1000, maxPerUser: 0, userUnits: [] }
    const row = (await restockProduct(app.db, id, 7)) as RestockedRow
    const restocked = applyRestock(app, id, row.supplied) // finds the state cold, warms up, re-applies
    await app.stock.warm(id, stale, Date.now())
    await restocked
    t.match(await stockState(app, id), { redis: { available: 27, supplied: 27 }, mysql: { stock: 27 } })
  },
)

t.test('restocks racing lost states and warm-ups on two instances never double count', async (t) => {
  const other = await startApp(t, world.config())
  const id = await createProduct(app, world, { stock: 100 })
  await pendingOrders(id, 10)
  const chaos: Promise<unknown>[] = []
  for (let i = 0; i < 30; i++) {
    chaos.push(restock(id, 5, i % 2 ? app : other))
    if (i % 3 === 0) chaos.push(world.dropState(id))
    chaos.push((i % 2 ? other : app).inject({ method: 'GET', url: `/api/products/${id}` }))
  }
  const answers = await Promise.all(chaos)
  t.ok(
    answers.every((r) => !(r && typeof r === 'object' && 'statusCode' in r) || r.statusCode === 200),
    'all answered 200',
  )
  // Whatever interleaving happened, once warm Redis agrees with MySQL: (100 + 150) − 10 pending.
  t.equal((await app.inject({ method: 'GET', url: `/api/products/${id}` })).json().stock, 240)
  t.match(await stockState(app, id), {
    redis: { available: 240, supplied: 250 },
    mysql: { stock: 250, supplied: 250, pending_qty: 10 },
  })
})

t.test('a restock whose Redis step was lost is delivered by the sweeper repair pass', async (t) => {
  const id = await createProduct(app, world, { stock: 5 })
  await restockProduct(app.db, id, 10) // committed in MySQL; the process died before Redis
  t.match(await stockState(app, id), { redis: { available: 5, supplied: 5 }, mysql: { stock: 15 } })
  t.equal(await app.sweeper.runOnce(), 'done')
  t.match(await stockState(app, id), { redis: { available: 15, supplied: 15 } })
  t.equal(await app.sweeper.runOnce(), 'done')
  t.match(await stockState(app, id), { redis: { available: 15 } }, 'and only once')
})
