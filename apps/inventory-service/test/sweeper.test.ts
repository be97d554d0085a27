import { TcpProxy } from '@flash/test-kit'
import t from 'tap'
import { FenceGrace } from '../src/repair/fence-grace.ts'
import { SWEEP_KEY } from '../src/stock/index.ts'
import {
  createProduct,
  createWorld,
  insertOrder,
  reservationId,
  reserve,
  startApp,
  stockState,
} from './helpers.ts'

const TTL_MS = 60_000
const GRACE_MS = 5_000
const world = await createWorld(t, 'inv-sweeper')
const app = await startApp(t, world.config({ RESERVATION_TTL_SECONDS: String(TTL_MS / 1000) }))
const later = () => Date.now() + TTL_MS + 5_000 // every reservation made so far has expired by then

async function reserved(id: number, user: number, quantity = 1) {
  const reservation_id = reservationId()
  const res = await reserve(app, { product_id: id, user_id: user, quantity, reservation_id })
  if (!res.json().ok) throw new Error(res.body)
  return reservation_id
}

t.test('expired reservations are settled by what MySQL says about their order', async (t) => {
  const id = await createProduct(app, world, { stock: 10 })
  await reserved(id, 1, 2) // orphan: order-service gave up before inserting the row
  const pending = await reserved(id, 2, 1)
  const completed = await reserved(id, 3, 3)
  const failed = await reserved(id, 4, 1)
  await insertOrder(world.db, { product_id: id, user_id: 2, quantity: 1, reservation_id: pending })
  await insertOrder(world.db, {
    product_id: id,
    user_id: 3,
    quantity: 3,
    reservation_id: completed,
    status: 'completed',
  })
  await insertOrder(world.db, {
    product_id: id,
    user_id: 4,
    quantity: 1,
    reservation_id: failed,
    status: 'failed',
  })
  await world.db.updateTable('products').set({ stock: 7 }).where('id', '=', id).execute() // the completed order
  t.match(await stockState(app, id), { redis: { available: 3, reservations: 4 } })

  const at = later()
  t.equal(await app.sweeper.runOnce(at), 'done')
  // orphan (2) and failed (1) return; completed stays sold; pending stays held.
  t.match(await stockState(app, id), {
    redis: { available: 6, reservations: 1, reserved_units: 1, tombstones: 3 },
    mysql: { stock: 7, pending_qty: 1 },
  })
  const [live] = await app.stock.expired(id, at + TTL_MS + 1, 10)
  t.equal(live?.reservation_id, pending, 'the pending order keeps its reservation…')
  t.ok(live!.expires_at_ms >= at + TTL_MS, '…extended by one TTL')
  t.same(await app.stock.expired(id, at, 10), [], 'nothing left expired')
  // A second sweep at the same time changes nothing; the finalizer then settles the pending order.
  await app.sweeper.runOnce(at)
  t.match(await stockState(app, id), { redis: { available: 6, reservations: 1 } })
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(metrics, /inventory_swept_reservations_total\{action="released"[^}]*\} 2/)
  t.match(metrics, /inventory_swept_reservations_total\{action="extended"[^}]*\} 1/)
  t.match(metrics, /inventory_swept_reservations_total\{action="committed"[^}]*\} 1/)
})

t.test('after a MySQL stall an orphan waits FENCE_GRACE_MS, so a row landing meanwhile stands', async (t) => {
  // The fault: MySQL stalls past the reservation's TTL while the intake's INSERT is unconfirmed (its
  // buyer was answered 202). The sweeper's first "no row" comes as MySQL answers again, maybe before
  // order-service's resolver writes the row: fencing on it failed an accepted order (mysql-stall, CI).
  const url = world.config().DATABASE_URL
  const mysql = new URL(url)
  const proxy = await TcpProxy.start({ host: mysql.hostname, port: Number(mysql.port || 3306) })
  t.teardown(() => proxy.close())
  // The mark is shared through Redis: later tests sweep on a healthy MySQL.
  t.teardown(() => world.redis.del(FenceGrace.KEY))
  const stalled = await startApp(
    t,
    world.config({
      DATABASE_URL: proxy.url(url),
      RESERVATION_TTL_SECONDS: String(TTL_MS / 1000),
      FENCE_GRACE_MS: String(GRACE_MS),
    }),
  )
  const id = await createProduct(app, world, { stock: 3 })
  const reservation = await reserved(id, 5)
  const at = later()
  proxy.stall()
  const sweep = stalled.sweeper.runOnce(at) // its status query waits on the stalled link
  // Longer than FenceGrace.SLOW_ANSWER_MS: the answer comes from a stalled MySQL.
  await new Promise((resolve) => setTimeout(resolve, 1_500))
  proxy.resume()
  await sweep
  t.match(await stockState(app, id), { redis: { available: 2, reservations: 1 } }, 'not released')
  const before = await world.db
    .selectFrom('orders')
    .select('status')
    .where('reservation_id', '=', reservation)
    .execute()
  t.same(before, [], 'not fenced either')
  // The resolver's row lands within the grace: the order stands and keeps its units.
  await insertOrder(world.db, { product_id: id, user_id: 5, quantity: 1, reservation_id: reservation })
  const after = at + GRACE_MS + 2_000
  await stalled.sweeper.runOnce(after)
  t.match(await stockState(app, id), { redis: { available: 2, reservations: 1 }, mysql: { pending_qty: 1 } })
  const [live] = await app.stock.expired(id, after + TTL_MS + 1, 10)
  t.equal(live?.reservation_id, reservation, 'extended like any pending order')

  // An orphan seen within the grace waits for it; then it is fenced and released.
  const orphan = await reserved(id, 6)
  await stalled.sweeper.runOnce(at + 1)
  t.match(await stockState(app, id), { redis: { available: 1 } }, 'kept within the grace')
  await stalled.sweeper.runOnce(after)
  t.match(await stockState(app, id), { redis: { available: 2, reservations: 1 } }, 'released after it')
  const fence = await world.db
    .selectFrom('orders')
    .select(['status', 'failed_reason'])
    .where('reservation_id', '=', orphan)
    .executeTakeFirst()
  t.same(fence, { status: 'failed', failed_reason: 'abandoned' })
})

t.test('the lock passes to another instance during the stall: it waits the grace too', async (t) => {
  // Instance A's status query hangs on a stalled MySQL past its sweeper lock; instance B (another
  // link, answering at once) takes over. B must know MySQL is in trouble although its own answer was
  // quick: A marks the trouble in Redis while its query is still unanswered.
  const url = world.config().DATABASE_URL
  const mysql = new URL(url)
  const proxy = await TcpProxy.start({ host: mysql.hostname, port: Number(mysql.port || 3306) })
  t.teardown(() => proxy.close())
  t.teardown(() => world.redis.del(FenceGrace.KEY))
  const config = { RESERVATION_TTL_SECONDS: String(TTL_MS / 1000), FENCE_GRACE_MS: String(GRACE_MS) }
  const a = await startApp(t, world.config({ ...config, DATABASE_URL: proxy.url(url) }))
  const b = await startApp(t, world.config(config))
  const id = await createProduct(app, world, { stock: 2 })
  const reservation = await reserved(id, 7)
  const at = later()
  proxy.stall()
  let resumed = false
  t.teardown(() => {
    if (!resumed) proxy.resume()
  })
  const sweepA = a.sweeper.runOnce(at)
  await new Promise((resolve) => setTimeout(resolve, 1_500)) // past FenceGrace.SLOW_ANSWER_MS
  await world.redis.del('inv:sweeper:lock') // A's lock expired while its query hung
  t.equal(await b.sweeper.runOnce(at + 1_500), 'done')
  t.match(await stockState(app, id), { redis: { available: 1, reservations: 1 } }, 'B did not release it')
  proxy.resume()
  resumed = true
  await sweepA
  t.same(
    await world.db.selectFrom('orders').select('status').where('reservation_id', '=', reservation).execute(),
    [],
    'nobody fenced it within the grace',
  )
  await b.sweeper.runOnce(at + GRACE_MS + 3_000)
  t.match(await stockState(app, id), { redis: { available: 2, reservations: 0 } }, 'released after it')
})

t.test('only one instance sweeps at a time', async (t) => {
  await world.redis.set('inv:sweeper:lock', 'another-instance', 'PX', 10_000)
  t.equal(await app.sweeper.runOnce(), 'locked')
  await world.redis.del('inv:sweeper:lock')
  t.equal(await app.sweeper.runOnce(), 'done')
  t.equal(await world.redis.exists('inv:sweeper:lock'), 0, 'the lock is released after the sweep')
})

t.test('a lost sweep-index mark is repaired by the rolling pass', async (t) => {
  const id = await createProduct(app, world, { stock: 2 })
  await reserved(id, 1)
  await world.redis.zrem(SWEEP_KEY, String(id)) // a crash between the reserve script and its markDue
  const at = later()
  await app.sweeper.runOnce(at) // misses it, but restores the mark
  t.match(await stockState(app, id), { redis: { reservations: 1 } })
  await app.sweeper.runOnce(at)
  t.match(await stockState(app, id), { redis: { available: 2, reservations: 0 } })
})

t.test('tombstones older than 24 h are trimmed', async (t) => {
  const id = await createProduct(app, world, { stock: 3 })
  const old = await reserved(id, 1)
  const recent = await reserved(id, 2)
  await app.stock.commit(id, old, Date.now() - 25 * 3_600_000)
  await app.stock.commit(id, recent, Date.now())
  t.match(await stockState(app, id), { redis: { tombstones: 2 } })
  await app.sweeper.runOnce()
  t.match(await stockState(app, id), { redis: { tombstones: 1 } })
})

t.test('the periodic sweeper runs on its own and stops with the app', async (t) => {
  const swept = await startApp(t, world.config({ SWEEP_INTERVAL_MS: '100' }), { sweeper: true })
  const id = await createProduct(swept, world, { stock: 4 })
  // A reservation already expired (made "10 minutes ago"), with no order behind it.
  await swept.stock.reserve(id, reservationId(), 7, 3, TTL_MS, Date.now() - 600_000)
  t.match(await stockState(swept, id), { redis: { available: 1 } })
  let state = await stockState(swept, id)
  for (let i = 0; i < 100 && state.redis.available !== 4; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    state = await stockState(swept, id)
  }
  t.match(state, { redis: { available: 4, reservations: 0 } }, 'released within a few ticks')
  await swept.close()
})
