import { deleteKeysByPrefix, eventually, TcpProxy, TEST_REDIS_URL } from '@flash/test-kit'
import { Redis } from 'ioredis'
import { sql } from 'kysely'
import t from 'tap'
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs'
import { available, createProduct, createWorld, get, newBuyer, order, startApp } from './helpers.ts'

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

/** Reads the orders queue (only this file's tests send to it) until `orderUuid`'s message is seen. */
async function queuedOrder(orderUuid: string): Promise<boolean> {
  const { Messages = [] } = await world.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: world.queueUrl, MaxNumberOfMessages: 10 }),
  )
  return Messages.some((m) => (JSON.parse(m.Body!) as { order_uuid?: string }).order_uuid === orderUuid)
}

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

t.test('MySQL stalls past the reservation TTL: accepted, then failed as abandoned, never sold', async (t) => {
  const app = await start(t)
  const direct = await start(t, world.config())
  const product = await createProduct(world, { stock: 4 })
  const buyer = await newBuyer(world)
  proxy.stall()
  let resumed = false
  t.teardown(() => {
    if (!resumed) proxy.resume()
  })
  const res = await order(app, buyer, { product_id: product, quantity: 1 })
  t.equal(res.statusCode, 202, 'the row may still land: accepted, its status will tell')
  const url = res.headers.location as string
  t.match((await get(direct, buyer, url)).json(), { status: 'pending' }, 'visible at once on any instance')
  // Past the 5 s TTL the sweeper finds no row: it writes a fence for the reservation and releases it.
  t.ok(
    await eventually(async () => (await available(world, product)) === 4, 200, 100),
    'released by the sweeper',
  )
  t.match(
    (await get(direct, buyer, url)).json(),
    { order_uuid: res.json().order_uuid, status: 'failed', failed_reason: 'abandoned' },
    'the order says what became of it',
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
  t.match((await get(direct, buyer, url)).json(), { status: 'failed', failed_reason: 'abandoned' })
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

// The first attempt's INSERT got no answer in time. A 503 would be a lie if the row landed (the
// order completes; a buyer without a key retries and buys twice): the intake answers 202 and the
// order's status tells what MySQL settled.
t.test('an unanswered write that did land: 202 at once, the order completes its course', async (t) => {
  const app = await start(t)
  const direct = await start(t, world.config())
  const product = await createProduct(world, { stock: 1 })
  const buyer = await newBuyer(world)
  proxy.dropReplies()
  let healed = false
  t.teardown(() => {
    if (!healed) proxy.resume()
  })
  const body = { product_id: product, quantity: 1 }
  const first = await order(app, buyer, body, { 'idempotency-key': 'unanswered' })
  t.equal(first.statusCode, 202, 'nothing could be learnt in time, and nothing is denied')
  const url = first.headers.location as string
  t.match((await get(direct, buyer, url)).json(), { status: 'pending' })
  const retry = await order(app, buyer, body, { 'idempotency-key': 'unanswered' })
  t.equal(retry.statusCode, 202, 'a retry with the key gets the same answer…')
  t.equal(retry.json().order_uuid, first.json().order_uuid)
  t.equal(retry.headers['idempotent-replayed'], 'true')
  // The connections whose replies were eaten would wait for ever: break them, as TCP eventually does.
  proxy.cut()
  proxy.resume()
  healed = true
  t.ok(
    await eventually(() => queuedOrder(first.json().order_uuid), 100, 100),
    '…and the row that landed is sent',
  )
  const rows = await rowsOf(buyer.id)
  t.equal(rows.length, 1, 'one order, no fence: the original won')
  t.equal(rows[0]?.order_uuid, first.json().order_uuid)
  t.equal(await available(world, product), 0, 'its unit stays sold')
})

t.test(
  'an unanswered write that never landed: 202, then the resolver writes the order it promised',
  async (t) => {
    const app = await start(t)
    const direct = await start(t, world.config())
    const product = await createProduct(world, { stock: 1 })
    const buyer = await newBuyer(world)
    proxy.stall()
    let healed = false
    t.teardown(() => {
      if (!healed) proxy.resume()
    })
    const body = { product_id: product, quantity: 1 }
    const first = await order(app, buyer, body, { 'idempotency-key': 'never-landed' })
    t.equal(first.statusCode, 202)
    const url = first.headers.location as string
    t.match(
      (await get(direct, buyer, url)).json(),
      { order_uuid: first.json().order_uuid, status: 'pending', product_id: product, quantity: 1 },
      'its owner sees it at once, before any row is readable',
    )
    t.equal((await get(direct, await newBuyer(world), url)).statusCode, 404, 'nobody else does')
    // The held INSERTs die with their connections: they can never reach MySQL now.
    proxy.cut()
    proxy.resume()
    healed = true
    t.ok(
      await eventually(async () => (await rowsOf(buyer.id)).length === 1, 100, 100),
      'once MySQL answers, the resolver writes the row the 202 promised',
    )
    const rows = await rowsOf(buyer.id)
    t.match(
      rows,
      [{ order_uuid: first.json().order_uuid, status: 'pending' }],
      'the order itself, not a fence',
    )
    t.match((await get(direct, buyer, url)).json(), {
      order_uuid: first.json().order_uuid,
      status: 'pending',
    })
    t.equal(await available(world, product), 0, 'its unit stays sold to that buyer')
    const replay = await order(app, buyer, body, { 'idempotency-key': 'never-landed' })
    t.equal(replay.json().order_uuid, first.json().order_uuid, 'the key keeps its answer')
    const again = await order(app, buyer, body, { 'idempotency-key': 'buy-again' })
    t.equal(again.statusCode, 409, 'the unit is not sold twice')
    t.equal(again.json().code, 'out_of_stock')
  },
)

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

// Attempt A's INSERT is still on the wire (held by the stalled proxy) when the retry takes the key
// over and is refused: A holds the last unit. Were A's row to land afterwards, the key would say
// "sold out" for an order the buyer is charged for; the takeover's fence makes sure it never lands.
t.test('a takeover fences the uuid of a predecessor whose INSERT has not landed', async (t) => {
  const lease = { IDEMPOTENCY_LEASE_MS: '1000' }
  const stalled = await start(t, viaProxy({ ORDER_WRITE_TIMEOUT_MS: '30000', ...lease }))
  const retrying = await start(t, world.config(lease))
  const product = await createProduct(world, { stock: 1 })
  const buyer = await newBuyer(world)
  const body = { product_id: product, quantity: 1 }
  // A's connections are opened first, so the stall holds only its INSERT.
  await sql`select 1`.execute(stalled.db)
  proxy.stall()
  let resumed = false
  t.teardown(() => {
    if (!resumed) proxy.resume()
  })
  const first = order(stalled, buyer, body, { 'idempotency-key': 'on-the-wire' })
  t.ok(await eventually(async () => (await available(world, product)) === 0, 100, 20), 'A reserved the unit')
  let retry = await order(retrying, buyer, body, { 'idempotency-key': 'on-the-wire' })
  t.ok(
    await eventually(
      async () => {
        if (retry.json().code !== 'idempotency_request_in_flight') return true
        retry = await order(retrying, buyer, body, { 'idempotency-key': 'on-the-wire' })
        return false
      },
      100,
      50,
    ),
    "the retry waits out A's lease, then takes the key over",
  )
  t.equal(retry.json().code, 'out_of_stock', 'A still holds the unit and has no order')
  proxy.resume()
  resumed = true
  const late = await first
  t.equal(late.statusCode, 503, "A's INSERT lands on the fence: A placed nothing")
  const rows = await world.db
    .selectFrom('orders')
    .select(['status', 'failed_reason', 'idempotency_key'])
    .where('user_id', '=', buyer.id)
    .execute()
  t.same(rows, [{ status: 'failed', failed_reason: 'abandoned', idempotency_key: null }], 'only the fence')
  t.equal(await available(world, product), 1, "A's unit is back on sale")
  const replay = await order(retrying, buyer, body, { 'idempotency-key': 'on-the-wire' })
  t.equal(replay.json().code, 'out_of_stock', 'the key keeps its answer, and it is true')
})
