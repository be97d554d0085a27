import type { AddressInfo } from 'node:net'
import { SALE_RETRY_AFTER_MAX_SECONDS } from '@flash/contracts'
import { loadConfig } from '@flash/config'
import { buildApp as buildInventory, InventoryEnv } from '@flash/inventory-service'
import t from 'tap'
import {
  createWorld,
  eventually,
  metric,
  newBuyer,
  order,
  SERVICE_TOKEN,
  startApp,
  type World,
} from './helpers.ts'

// Scheduled sales through the whole intake, all real: two inventory-services and two order-services on
// one database and one Redis. Before the opening an order is refused `sale_not_started` with
// Retry-After, the repeats locally (no inventory round trip), nothing reserved and no row written; the
// sale opens for every instance at the same instant (Redis TIME, in inventory's reserve script).
const world = await createWorld(t, 'ord-sale-window')
const inventory2 = await buildInventory(
  loadConfig(InventoryEnv, { ...world.env, PRODUCT_CACHE_MS: '0', SERVICE_TOKEN }),
  { logLevel: 'silent' },
)
t.teardown(() => inventory2.close())
await inventory2.listen({ host: '127.0.0.1', port: 0 })
const inventory2Url = `http://127.0.0.1:${(inventory2.server.address() as AddressInfo).port}`
const one = await startApp(t, world.config({ SOLD_OUT_CACHE_MS: '60000' }))
const two = await startApp(t, world.config({ SOLD_OUT_CACHE_MS: '60000', INVENTORY_URL: inventory2Url }))

async function admin(world: World) {
  const res = await world.auth.inject({
    method: 'POST',
    url: '/api/login',
    headers: { 'content-type': 'application/json' },
    payload: { email: 'admin@example.com', password: 'admin-password-1' },
  })
  return { authorization: `Bearer ${res.json().access_token}`, 'content-type': 'application/json' }
}
const adminHeaders = await admin(world)
const redisNow = async () => {
  const [s, us] = await world.inventory.redis.time()
  return Number(s) * 1000 + Math.floor(Number(us) / 1000)
}
const iso = (ms: number) => new Date(ms).toISOString()

async function scheduled(
  stock: number,
  startsAt: number | null,
  endsAt: number | null = null,
): Promise<number> {
  const res = await world.inventory.inject({
    method: 'POST',
    url: '/api/products',
    headers: adminHeaders,
    payload: {
      name: `sale-${startsAt}`,
      price_cents: 100,
      stock,
      ...(startsAt === null ? {} : { sale_starts_at: iso(startsAt) }),
      ...(endsAt === null ? {} : { sale_ends_at: iso(endsAt) }),
    },
  })
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`)
  return res.json().id
}

async function moveStart(productId: number, startsAt: number | null) {
  const res = await world.inventory.inject({
    method: 'PATCH',
    url: `/api/products/${productId}`,
    headers: adminHeaders,
    payload: { sale_starts_at: startsAt === null ? null : iso(startsAt) },
  })
  if (res.statusCode !== 200) throw new Error(`patch failed: ${res.statusCode} ${res.body}`)
}

const rowsOf = async (productId: number) =>
  world.db
    .selectFrom('orders')
    .select(['order_uuid', 'created_at'])
    .where('product_id', '=', productId)
    .execute()
const reservationsOf = async (productId: number) => {
  const res = await world.inventory.inject({
    method: 'GET',
    url: `/internal/products/${productId}/stock-state`,
    headers: { authorization: `Bearer ${SERVICE_TOKEN}` },
  })
  return res.json().redis.reservations as number
}

t.test(
  'before the opening: 409 sale_not_started + Retry-After, nothing reserved, no row, repeats answered locally',
  async (t) => {
    const buyer = await newBuyer(world)
    const startsAt = (await redisNow()) + 3_600_000
    const id = await scheduled(10, startsAt)
    const first = await order(one, buyer, { product_id: id, quantity: 1 })
    t.equal(first.statusCode, 409)
    t.equal(first.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.equal(first.json().code, 'sale_not_started')
    t.equal(first.headers['retry-after'], String(SALE_RETRY_AFTER_MAX_SECONDS), 'an hour away: capped')

    const reserveCalls = await metric(one, 'order_inventory_reserve_calls_total')
    for (let i = 0; i < 5; i++) {
      const again = await order(one, buyer, { product_id: id, quantity: 1 })
      t.equal(again.statusCode, 409)
      t.equal(again.json().code, 'sale_not_started')
      t.ok(Number(again.headers['retry-after']) >= 1)
    }
    t.equal(await metric(one, 'order_inventory_reserve_calls_total'), reserveCalls, 'no inventory round trip')
    t.equal(await metric(one, 'order_intake_total', 'outcome="sale_not_started_local"'), 5)
    t.equal(await reservationsOf(id), 0, 'nothing reserved')
    t.same(await rowsOf(id), [], 'no order row')
  },
)

t.test(
  'a short wait gets a Retry-After of the seconds left; a window change reaches the local mark at once',
  async (t) => {
    const buyer = await newBuyer(world)
    const id = await scheduled(10, (await redisNow()) + 3_600_000)
    t.equal((await order(two, buyer, { product_id: id, quantity: 1 })).json().code, 'sale_not_started')
    const soon = (await redisNow()) + 30_000
    await moveStart(id, soon)
    // The PATCH's event drops instance two's mark: it asks inventory again and learns the new start.
    t.ok(
      await eventually(async () => {
        const res = await order(two, buyer, { product_id: id, quantity: 1 })
        const seconds = Number(res.headers['retry-after'])
        return res.json().code === 'sale_not_started' && seconds <= 30 && seconds >= 1
      }),
      'the nearer opening is counted down',
    )
    await moveStart(id, null)
    t.ok(
      await eventually(
        async () => (await order(two, buyer, { product_id: id, quantity: 1 })).statusCode === 202,
      ),
      'open now: accepted',
    )
    t.equal((await rowsOf(id)).length, 1)
  },
)

t.test('both instances open at the same instant', async (t) => {
  const id = await scheduled(100, (await redisNow()) + 3_600_000)
  const buyers = await Promise.all([0, 1, 2, 3].map(() => newBuyer(world)))
  // Both instances have learned the far opening…
  for (const app of [one, two])
    t.equal((await order(app, buyers[0]!, { product_id: id, quantity: 1 })).statusCode, 409)
  // …then the sale is brought forward to just ahead (not open yet, so allowed).
  const startsAt = (await redisNow()) + 1_500
  await moveStart(id, startsAt)
  const refusedAfter: number[] = []
  const loop = async (app: typeof one, buyer: (typeof buyers)[number]) => {
    for (;;) {
      const res = await order(app, buyer, { product_id: id, quantity: 1 })
      if (res.statusCode === 202) return
      t.equal(res.json().code, 'sale_not_started')
      t.ok(Number(res.headers['retry-after']) >= 1)
      refusedAfter.push(await redisNow())
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  await Promise.all([
    loop(one, buyers[0]!),
    loop(two, buyers[1]!),
    loop(one, buyers[2]!),
    loop(two, buyers[3]!),
  ])
  const rows = await rowsOf(id)
  t.equal(rows.length, 4, 'one order per buyer, on both instances')
  for (const row of rows) t.ok(row.created_at.getTime() >= startsAt, 'no row written before the opening')
  t.equal(await reservationsOf(id), 4)
})

t.test('an Idempotency-Key refused before the opening places the order after it', async (t) => {
  const buyer = await newBuyer(world)
  const id = await scheduled(5, (await redisNow()) + 3_600_000)
  const headers = { 'idempotency-key': `sale-${id}` }
  const early = await order(one, buyer, { product_id: id, quantity: 1 }, headers)
  t.equal(early.json().code, 'sale_not_started')
  await moveStart(id, null)
  let placed: Awaited<ReturnType<typeof order>> | undefined
  t.ok(
    await eventually(async () => {
      placed = await order(one, buyer, { product_id: id, quantity: 1 }, headers)
      return placed.statusCode === 202
    }),
  )
  t.not(placed?.headers['idempotent-replayed'], 'true', 'placed, not the refusal replayed')
  t.equal((await rowsOf(id)).length, 1)
})

t.test('after the end: 409 sale_ended without Retry-After, and nothing written', async (t) => {
  const buyer = await newBuyer(world)
  const endsAt = (await redisNow()) + 500
  const id = await scheduled(5, null, endsAt)
  while ((await redisNow()) < endsAt) await new Promise((resolve) => setTimeout(resolve, 100))
  for (const app of [one, two, one]) {
    const res = await order(app, buyer, { product_id: id, quantity: 1 })
    t.equal(res.statusCode, 409)
    t.equal(res.json().code, 'sale_ended')
    t.equal(res.headers['retry-after'], undefined)
  }
  t.same(await rowsOf(id), [])
})
