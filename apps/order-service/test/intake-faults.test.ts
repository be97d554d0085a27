import { deleteKeysByPrefix, eventually, TcpProxy, TEST_REDIS_URL } from '@flash/test-kit'
import { Redis } from 'ioredis'
import { sql } from 'kysely'
import t from 'tap'
import { available, createProduct, createWorld, newBuyer, order, startApp } from './helpers.ts'

// Faults between the reservation and the pending row, injected with a real TCP proxy in front of
// MySQL (order-service's connections only; inventory keeps its own). Every one of these once broke
// I3–I5: the intake compensated what it could not know had failed.
const world = await createWorld(t, 'intake-faults', {
  RESERVATION_TTL_SECONDS: '5',
  SWEEP_INTERVAL_MS: '100',
  // Not what these tests are about (see inventory's warmup.test.ts): rebuild at once after a loss.
  WARM_SETTLE_MS: '0',
})
const mysql = new URL(world.env.DATABASE_URL!)
const proxy = await TcpProxy.start({ host: mysql.hostname, port: Number(mysql.port || 3306) })
t.teardown(() => proxy.close())
const viaProxy = (overrides: Record<string, string> = {}) =>
  world.config({
    DATABASE_URL: proxy.url(world.env.DATABASE_URL!),
    ORDER_WRITE_TIMEOUT_MS: '300',
    ...overrides,
  })

const rowsOf = (userId: number) =>
  world.db
    .selectFrom('orders')
    .select(['order_uuid', 'status', 'failed_reason'])
    .where('user_id', '=', userId)
    .execute()

const start = (t: Parameters<typeof startApp>[0], config = viaProxy()) => startApp(t, config)

t.test('the INSERT commits but its reply is lost: 202, one order, its units stay reserved', async (t) => {
  const app = await start(t)
  const product = await createProduct(world, { stock: 5 })
  const buyer = await newBuyer(world)
  const lost = proxy.loseNextReply()
  const res = await order(app, buyer, { product_id: product, quantity: 2 }, { 'idempotency-key': 'lost-1' })
  await lost
  t.equal(res.statusCode, 202, 'the order was written: it is accepted')
  const rows = await rowsOf(buyer.id)
  t.equal(rows.length, 1, 'one row')
  t.equal(rows[0]?.order_uuid, res.json().order_uuid)
  t.equal(await available(world, product), 3, 'the reservation of the written row is not released')
  const retry = await order(app, buyer, { product_id: product, quantity: 2 }, { 'idempotency-key': 'lost-1' })
  t.equal(retry.json().order_uuid, res.json().order_uuid, 'a retry with the key replays it')
  t.equal((await rowsOf(buyer.id)).length, 1, 'still one order')
})

t.test('a multi-row INSERT commits but its reply is lost: every order 202 and held', async (t) => {
  const app = await start(t)
  const product = await createProduct(world, { stock: 20 })
  const buyers = await Promise.all(Array.from({ length: 6 }, () => newBuyer(world)))
  const lost = proxy.loseNextReply()
  // Sent together, the rows meet in one INSERT statement (the inserter batches a turn of the loop).
  const answers = await Promise.all(buyers.map((b) => order(app, b, { product_id: product, quantity: 1 })))
  await lost
  t.same(
    answers.map((a) => a.statusCode),
    buyers.map(() => 202),
  )
  for (const b of buyers) t.equal((await rowsOf(b.id)).length, 1)
  t.equal(await available(world, product), 14, 'Redis holds exactly the units of the rows MySQL has')
})

t.test('MySQL stalls past the reservation TTL: the sweeper fences, the late INSERT is refused', async (t) => {
  const app = await start(t)
  const product = await createProduct(world, { stock: 4 })
  const buyer = await newBuyer(world)
  proxy.stall()
  let resumed = false
  t.teardown(() => {
    if (!resumed) proxy.resume()
  })
  const res = await order(app, buyer, { product_id: product, quantity: 1 })
  t.equal(res.statusCode, 503, 'the intake gives up at its deadline, without knowing')
  t.equal(res.headers['retry-after'], '1')
  // Past the 5 s TTL the sweeper finds no row: it writes a fence for the reservation and releases it.
  t.ok(
    await eventually(async () => (await available(world, product)) === 4, 200, 100),
    'released by the sweeper',
  )
  proxy.resume()
  resumed = true
  // The stalled INSERTs now reach MySQL and meet the fence: never an order on a released reservation.
  // One query per pooled connection (DB_POOL_SIZE 5): each waits for whatever its connection still
  // carries, so when all have answered the stalled INSERTs have reached MySQL and been answered.
  await Promise.all(Array.from({ length: 5 }, () => sql`select sleep(0.05)`.execute(app.db)))
  const rows = await rowsOf(buyer.id)
  t.equal(rows.length, 1, 'only the fence row')
  t.match(rows[0], { status: 'failed', failed_reason: 'abandoned' })
  t.equal(await available(world, product), 4, 'no unit held, none minted')
})

t.test('Redis loses every record: a keyed replay returns the original order, not a 409', async (t) => {
  const app = await start(t, world.config())
  const product = await createProduct(world, { stock: 1 })
  const buyer = await newBuyer(world)
  const first = await order(
    app,
    buyer,
    { product_id: product, quantity: 1 },
    { 'idempotency-key': 'durable' },
  )
  t.equal(first.statusCode, 202)
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.quit())
  await deleteKeysByPrefix(redis, world.env.REDIS_KEY_PREFIX!)
  const replay = await order(
    app,
    buyer,
    { product_id: product, quantity: 1 },
    { 'idempotency-key': 'durable' },
  )
  t.equal(replay.statusCode, 202, 'sold out now, but this key already bought the unit')
  t.equal(replay.json().order_uuid, first.json().order_uuid)
  t.equal(replay.headers['idempotent-replayed'], 'true')
  const reused = await order(
    app,
    buyer,
    { product_id: product, quantity: 2 },
    { 'idempotency-key': 'durable' },
  )
  t.equal(reused.statusCode, 422, 'another body under that key is still a reuse')
  t.equal((await rowsOf(buyer.id)).length, 1)
})

t.test(
  'Redis loses every record while stock is left: the replay still does not place a second order',
  async (t) => {
    const app = await start(t, world.config())
    const product = await createProduct(world, { stock: 5 })
    const buyer = await newBuyer(world)
    const first = await order(
      app,
      buyer,
      { product_id: product, quantity: 1 },
      { 'idempotency-key': 'again' },
    )
    const redis = new Redis(TEST_REDIS_URL)
    t.teardown(() => redis.quit())
    await deleteKeysByPrefix(redis, world.env.REDIS_KEY_PREFIX!)
    const replay = await order(
      app,
      buyer,
      { product_id: product, quantity: 1 },
      { 'idempotency-key': 'again' },
    )
    t.equal(replay.statusCode, 202)
    t.equal(replay.json().order_uuid, first.json().order_uuid)
    t.equal((await rowsOf(buyer.id)).length, 1, 'one order per key')
    t.equal(await available(world, product), 4, "the replay's own reservation was given back")
  },
)

// The first attempt's INSERT landed but no reply ever came: a retry must never get a "no" for an
// order that is being charged. The key stays in flight until MySQL says what happened.
t.test('an unanswered write that did land: the key waits, then replays the 202', async (t) => {
  const app = await start(t)
  const product = await createProduct(world, { stock: 1 })
  const buyer = await newBuyer(world)
  proxy.dropReplies()
  let healed = false
  t.teardown(() => {
    if (!healed) proxy.resume()
  })
  const body = { product_id: product, quantity: 1 }
  const first = await order(app, buyer, body, { 'idempotency-key': 'unanswered' })
  t.equal(first.statusCode, 503, 'nothing could be learnt in time')
  const early = await order(app, buyer, body, { 'idempotency-key': 'unanswered' })
  t.equal(early.statusCode, 409, 'a retry while it is unresolved is told to wait…')
  t.equal(early.json().code, 'idempotency_request_in_flight')
  // The connections whose replies were eaten would wait for ever: break them, as TCP eventually does.
  proxy.cut()
  proxy.resume()
  healed = true
  let replay = early
  t.ok(
    await eventually(
      async () => {
        replay = await order(app, buyer, body, { 'idempotency-key': 'unanswered' })
        return replay.statusCode === 202
      },
      100,
      100,
    ),
    '…and, once MySQL answers, gets the order that was written',
  )
  t.equal(replay.headers['idempotent-replayed'], 'true')
  const rows = await rowsOf(buyer.id)
  t.equal(rows.length, 1, 'one order, no fence: the original won')
  t.equal(rows[0]?.order_uuid, replay.json().order_uuid)
  t.equal(await available(world, product), 0, 'its unit stays sold')
})

t.test('an unanswered write that never landed: fenced and released at once, the retry buys', async (t) => {
  const app = await start(t)
  const product = await createProduct(world, { stock: 1 })
  const buyer = await newBuyer(world)
  proxy.stall()
  let healed = false
  t.teardown(() => {
    if (!healed) proxy.resume()
  })
  const body = { product_id: product, quantity: 1 }
  const first = await order(app, buyer, body, { 'idempotency-key': 'never-landed' })
  t.equal(first.statusCode, 503)
  // The held INSERTs die with their connections: they can never reach MySQL now.
  proxy.cut()
  proxy.resume()
  healed = true
  let retry = first
  t.ok(
    await eventually(
      async () => {
        retry = await order(app, buyer, body, { 'idempotency-key': 'never-landed' })
        return retry.statusCode === 202
      },
      100,
      100,
    ),
    'the unit came back long before the reservation TTL, and the retry bought it',
  )
  const rows = await rowsOf(buyer.id)
  t.same(rows.map((r) => r.status).sort(), ['failed', 'pending'], "the first attempt's fence, the order")
  t.equal(rows.find((r) => r.status === 'failed')?.failed_reason, 'abandoned')
})

// Attempt A writes its row and then stalls (its replies lost) past its lease; the buyer's retry, on
// another instance, takes the key over. A holds the last unit, so a retry that reserved first would be
// refused "sold out" for the order A is charging them for. The takeover reads MySQL first.
t.test('a takeover finds the order its stalled predecessor wrote and replays it', async (t) => {
  const lease = { IDEMPOTENCY_LEASE_MS: '1000' }
  const stalled = await start(t, viaProxy({ ORDER_WRITE_TIMEOUT_MS: '5000', ...lease }))
  const retrying = await start(t, world.config(lease))
  const product = await createProduct(world, { stock: 1 })
  const buyer = await newBuyer(world)
  const body = { product_id: product, quantity: 1 }
  proxy.dropReplies()
  let healed = false
  t.teardown(() => {
    if (!healed) proxy.resume()
  })
  const first = order(stalled, buyer, body, { 'idempotency-key': 'stalled-owner' })
  t.ok(await eventually(async () => (await rowsOf(buyer.id)).length === 1, 100, 50), "A's row landed")
  const [written] = await rowsOf(buyer.id)
  let retry = await order(retrying, buyer, body, { 'idempotency-key': 'stalled-owner' })
  t.ok(
    await eventually(
      async () => {
        if (retry.json().code !== 'idempotency_request_in_flight') return true
        retry = await order(retrying, buyer, body, { 'idempotency-key': 'stalled-owner' })
        return false
      },
      100,
      50,
    ),
    "the retry waits out A's lease, then takes the key over",
  )
  t.equal(retry.statusCode, 202, 'not "sold out": the unit is the one this key bought')
  t.equal(retry.json().order_uuid, written?.order_uuid)
  t.equal(retry.headers['idempotent-replayed'], 'true')
  const replay = await order(retrying, buyer, body, { 'idempotency-key': 'stalled-owner' })
  t.equal(replay.json().order_uuid, written?.order_uuid, 'every later replay says the same')
  // A's connections would wait for ever for the eaten replies: break them, as TCP eventually does.
  proxy.cut()
  proxy.resume()
  healed = true
  t.equal((await first).statusCode, 202, 'A, once it hears back, answers its own order too')
  t.same(await rowsOf(buyer.id), [written], 'one order, no fence: A had written it')
  t.equal(await available(world, product), 0, 'its unit stays sold')
})
