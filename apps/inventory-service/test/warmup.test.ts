import { createDbInTimeZone, deleteKeysByPrefix, eventually, TEST_REDIS_URL } from '@flash/test-kit'
import { Redis } from 'ioredis'
import t from 'tap'
import {
  createProduct,
  createWorld,
  insertOrder,
  reservationId,
  reserve,
  startApp,
  stockState,
} from './helpers.ts'
import { productKeys, STATE_SINCE_KEY } from '../src/stock/index.ts'
import { RollbackWatch } from '../src/warm-up/rollback-watch.ts'
import { WarmSettle } from '../src/warm-up/warm-settle.ts'

const world = await createWorld(t, 'inv-warmup')
const app = await startApp(t, world.config())

t.test('after the state is lost with orders pending, available = stock − pending (not stock)', async (t) => {
  const id = await createProduct(app, world, { stock: 20, max_per_user: 5 })
  // What MySQL holds mid-sale: user 1 has 3 pending + 2 completed (stock already 18), user 2 has 4 pending.
  await world.db.updateTable('products').set({ stock: 18 }).where('id', '=', id).execute()
  const pendingA = reservationId(Date.now() - 1_000)
  await insertOrder(world.db, { product_id: id, user_id: 1, quantity: 3, reservation_id: pendingA })
  await insertOrder(world.db, {
    product_id: id,
    user_id: 1,
    quantity: 2,
    reservation_id: reservationId(),
    status: 'completed',
  })
  await insertOrder(world.db, { product_id: id, user_id: 2, quantity: 4, reservation_id: reservationId() })
  await insertOrder(world.db, {
    product_id: id,
    user_id: 2,
    quantity: 9,
    reservation_id: reservationId(),
    status: 'failed',
  })
  await world.dropState(id)

  // The next reserve finds the state cold, warms it up from MySQL and retries.
  t.same(
    (await reserve(app, { product_id: id, user_id: 1, quantity: 1 })).json(),
    { ok: false, reason: 'per_user_limit' },
    'user 1 holds 5 (pending + completed)',
  )
  t.match(await stockState(app, id), {
    redis: { available: 11, user_units: 9, supplied: 20 },
    mysql: { stock: 18, supplied: 20, pending_qty: 7, completed_qty: 2, failed_qty: 9 },
  })
  t.equal((await reserve(app, { product_id: id, user_id: 2, quantity: 1 })).json().ok, true)
  t.equal((await app.inject({ method: 'GET', url: `/api/products/${id}` })).json().stock, 10)

  // The pending order fails: its reservation (unknown to this Redis, created before the warm-up) comes back.
  const released = await app.inject({
    method: 'POST',
    url: '/internal/reservations/settle',
    headers: { authorization: `Bearer ${world.env.SERVICE_TOKEN}`, 'content-type': 'application/json' },
    payload: JSON.stringify({
      items: [{ reservation_id: pendingA, product_id: id, user_id: 1, quantity: 3, outcome: 'release' }],
    }),
  })
  t.equal(released.json().results[0].status, 'applied')
  t.match(await stockState(app, id), { redis: { available: 13 } })
})

t.test('concurrent warm-ups: one MySQL read per process, one writer across instances', async (t) => {
  const other = await startApp(t, world.config())
  const id = await createProduct(app, world, { stock: 50 })
  await insertOrder(world.db, { product_id: id, user_id: 1, quantity: 5, reservation_id: reservationId() })
  await world.dropState(id)
  const counts = async () => {
    const text = (
      await Promise.all([app, other].map((a) => a.inject({ method: 'GET', url: '/metrics' })))
    ).map((r) => r.body)
    const read = (body: string, result: string) =>
      Number(new RegExp(`inventory_warmups_total\\{result="${result}"[^}]*\\} (\\d+)`).exec(body)?.[1] ?? 0)
    return text.map((body) => ({ warmed: read(body, 'warmed'), noop: read(body, 'noop') }))
  }
  const before = await counts()
  const results = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      reserve(i % 2 ? app : other, { product_id: id, user_id: 100 + i, quantity: 1 }),
    ),
  )
  t.equal(results.filter((r) => r.json().ok).length, 45, 'stock 50 − 5 pending: 45 sold, no more')
  const after = await counts()
  const ran = after.map((c, i) => ({ warmed: c.warmed - before[i]!.warmed, noop: c.noop - before[i]!.noop }))
  t.equal(ran[0]!.warmed + ran[1]!.warmed, 1, 'exactly one warm-up wrote the state')
  t.ok(
    ran.every((r) => r.warmed + r.noop <= 1),
    'one warm-up at most per instance (callers share it)',
  )
  t.match(await stockState(app, id), { redis: { available: 0, reservations: 45 } })
})

t.test('a product list warms every cold product in the page', async (t) => {
  const ids = [await createProduct(app, world, { stock: 4 }), await createProduct(app, world, { stock: 6 })]
  await insertOrder(world.db, {
    product_id: ids[1]!,
    user_id: 1,
    quantity: 2,
    reservation_id: reservationId(),
  })
  for (const id of ids) await world.dropState(id)
  const page = (await app.inject({ method: 'GET', url: '/api/products?limit=100' })).json()
  const stock = Object.fromEntries(page.data.map((p: { id: number; stock: number }) => [p.id, p.stock]))
  t.equal(stock[ids[0]!], 4)
  t.equal(stock[ids[1]!], 4)
  t.match(await stockState(app, ids[1]!), { redis: { available: 4, warmed_at: Number } })
})

t.test('stock-state reports a cold product without warming it', async (t) => {
  const id = await createProduct(app, world, { stock: 3 })
  await world.dropState(id)
  t.same(await stockState(app, id), {
    product_id: id,
    redis: {
      available: null,
      price_cents: null,
      max_per_user: null,
      warmed_at: null,
      supplied: null,
      reservations: 0,
      reserved_units: 0,
      user_units: 0,
      tombstones: 0,
      counted: 0,
      repairs: 0,
      last_repair_delta: null,
      last_repair_at: null,
    },
    mysql: {
      stock: 3,
      supplied: 3,
      pending_qty: 0,
      completed_qty: 0,
      failed_qty: 0,
      awaiting_payment_qty: 0,
      paid_qty: 0,
      expired_qty: 0,
      cancelled_qty: 0,
    },
  })
})

// Issue 6, item 5: Redis loses its data while an intake is between its reserve and its INSERT. A
// rebuild at once would read MySQL without that row and offer its units a second time.
t.test('after a data loss the rebuild waits for in-flight rows: nothing leaks', async (t) => {
  const settling = await startApp(t, world.config({ WARM_SETTLE_MS: '1000' }))
  const id = await createProduct(settling, world, { stock: 10 })
  const inFlight = reservationId()
  const first = await reserve(settling, { product_id: id, user_id: 7, quantity: 2, reservation_id: inFlight })
  t.equal(first.json().ok, true)
  const plain = new Redis(TEST_REDIS_URL)
  t.teardown(() => plain.quit())
  await deleteKeysByPrefix(plain, world.prefix) // a FLUSHALL, for this world only
  const during = await reserve(settling, { product_id: id, user_id: 8, quantity: 1 })
  t.equal(during.statusCode, 503, 'no rebuild yet: the lost state may still have intakes in flight')
  t.ok(Number(during.headers['retry-after']) >= 1)
  // The intake that reserved in the lost state writes its row now.
  await insertOrder(world.db, { product_id: id, user_id: 7, quantity: 2, reservation_id: inFlight })
  t.ok(
    await eventually(
      async () => (await reserve(settling, { product_id: id, user_id: 8, quantity: 1 })).statusCode === 200,
      100,
      50,
    ),
    'served again once the window has passed',
  )
  t.match(await stockState(settling, id), {
    redis: { available: 7, counted: 1 },
    mysql: { stock: 10, pending_qty: 2 },
  })
  // Its order completes: counted by the rebuild, so the commit keeps the units subtracted.
  const settle = await settling.inject({
    method: 'POST',
    url: '/internal/reservations/settle',
    headers: { authorization: `Bearer ${world.env.SERVICE_TOKEN}`, 'content-type': 'application/json' },
    payload: {
      items: [{ reservation_id: inFlight, product_id: id, user_id: 7, quantity: 2, outcome: 'commit' }],
    },
  })
  t.equal(settle.statusCode, 200)
  t.match(await stockState(settling, id), { redis: { available: 7, counted: 0 } })
})

// Issue 13, item 1: loss is seen per product. One product's keys lost (one shard failed over to an empty
// replica) must hold that product's rebuild back as a full loss does, while its neighbours carry on.
t.test('one product losing its keys waits out its own settle window; others are served', async (t) => {
  const settling = await startApp(t, world.config({ WARM_SETTLE_MS: '1000' }))
  const lost = await createProduct(settling, world, { stock: 10 })
  const kept = await createProduct(settling, world, { stock: 10 })
  const inFlight = reservationId()
  t.equal(
    (await reserve(settling, { product_id: lost, user_id: 7, quantity: 2, reservation_id: inFlight })).json()
      .ok,
    true,
  )
  await world.dropState(lost)
  const during = await reserve(settling, { product_id: lost, user_id: 8, quantity: 1 })
  t.equal(during.statusCode, 503, 'the lost product waits: its in-flight intake has not written its row')
  t.equal((await reserve(settling, { product_id: kept, user_id: 8, quantity: 1 })).json().ok, true)
  await insertOrder(world.db, { product_id: lost, user_id: 7, quantity: 2, reservation_id: inFlight })
  t.ok(
    await eventually(
      async () => (await reserve(settling, { product_id: lost, user_id: 8, quantity: 1 })).statusCode === 200,
      100,
      50,
    ),
  )
  t.match(await stockState(settling, lost), {
    redis: { available: 7, counted: 1 },
    mysql: { pending_qty: 2 },
  })
})

// A failover to a replica that missed the last writes: the product's keys come back as they were a
// moment ago (DUMP before, RESTORE after). An instance that saw a newer version drops the state and
// rebuilds it from MySQL after the settle window, instead of selling from the old one.
t.test('a product state rolled back to an older version is dropped and rebuilt', async (t) => {
  const settling = await startApp(t, world.config({ WARM_SETTLE_MS: '1000' }))
  const id = await createProduct(settling, world, { stock: 10, max_per_user: 2 })
  const keys = Object.values(productKeys(id))
  const dumps = await Promise.all(keys.map((key) => world.redis.dumpBuffer(key)))
  // Two orders the replica never receives: written to MySQL, reserved on the primary.
  const missed = [reservationId(), reservationId()]
  for (const r of missed) {
    t.equal(
      (await reserve(settling, { product_id: id, user_id: 9, quantity: 1, reservation_id: r })).json().ok,
      true,
    )
    await insertOrder(world.db, { product_id: id, user_id: 9, quantity: 1, reservation_id: r })
  }
  // The failover: the old version of every key is back.
  for (const [i, key] of keys.entries()) {
    const dump = dumps[i]
    if (dump) await world.redis.restore(key, 0, dump, 'REPLACE')
    else await world.redis.del(key)
  }
  // The first reserve after it sees the older version; the state is dropped and the next one waits.
  await reserve(settling, { product_id: id, user_id: 10, quantity: 1 })
  t.equal((await reserve(settling, { product_id: id, user_id: 10, quantity: 1 })).statusCode, 503)
  t.ok(
    await eventually(
      async () => (await reserve(settling, { product_id: id, user_id: 11, quantity: 1 })).statusCode === 200,
      100,
      50,
    ),
  )
  t.same(
    (await reserve(settling, { product_id: id, user_id: 9, quantity: 1 })).json(),
    { ok: false, reason: 'per_user_limit' },
    'the rebuilt state knows the buyer’s two units again',
  )
  t.match(await stockState(settling, id), { redis: { available: 7, counted: 2 }, mysql: { pending_qty: 2 } })
})

// Issue 13: at boot, "an order in the last minute" decides whether a Redis without the global marker
// starts a settle window. Compared on MySQL's clock, so a server in another zone does not skew it.
for (const zone of ['-05:00', '+05:00']) {
  t.test(`the boot-time settle decision is not skewed by a ${zone} session`, async (t) => {
    const db = createDbInTimeZone(t, world.env.DATABASE_URL!, zone)
    const settle = new WarmSettle(app.stock, 1000)
    await db.deleteFrom('orders').execute()
    await world.redis.del(STATE_SINCE_KEY)
    await settle.initialise(db)
    t.equal((await app.stock.stateSince('now')).sinceMs, 0, 'no order: nothing can be in flight')
    await insertOrder(db, { product_id: 1, user_id: 1, quantity: 1, reservation_id: reservationId() })
    await world.redis.del(STATE_SINCE_KEY)
    await settle.initialise(db)
    t.not((await app.stock.stateSince('now')).sinceMs, 0, 'an order just now: the window starts')
    await world.redis.del(STATE_SINCE_KEY)
  })
}

t.test('the rollback watch drops only a state that is still older when its script runs', async (t) => {
  const id = await createProduct(app, world, { stock: 5 })
  for (const user of [1, 2])
    t.equal((await reserve(app, { product_id: id, user_id: user, quantity: 1 })).json().ok, true)
  const [gen, seq] = await world.redis.hmget(productKeys(id).meta, 'gen', 'seq')
  const watch = new RollbackWatch(app.stock, 1000)
  t.equal(watch.observe(id, { gen: gen!, seq: seq! }), false, 'the newest version seen')
  // A reply that resolved late (a script ioredis resent): older than the newest seen, the state is not.
  t.equal(await watch.observe(id, { gen: gen!, seq: String(Number(seq) - 1) }), false)
  t.match(await stockState(app, id), { redis: { available: 3, reservations: 2 } }, 'state kept')
  // Now the state really goes back (a replica that missed the last write).
  await world.redis.hset(productKeys(id).meta, 'seq', String(Number(seq) - 1))
  t.equal(await watch.observe(id, { gen: gen!, seq: String(Number(seq) - 1) }), true)
  t.match(await stockState(app, id), { redis: { available: null } }, 'dropped: rebuilt on next use')
})
