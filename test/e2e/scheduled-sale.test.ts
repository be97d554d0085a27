import { expectOk } from '@flash/api-client'
import type { StockState } from '@flash/contracts'
import t from 'tap'
import { request } from 'undici'
import { eventually, inParallel, startE2eStack } from '../src/index.ts'

// A scheduled sale end to end, through the gateway, on the whole stack as separate processes (two
// instances each of inventory-service, order-service and order-finalizer): refused with Retry-After
// before the opening, nothing reserved or written; rescheduled by the admin API; then it opens by
// itself on every instance, sells exactly its stock, and every accepted order completes — MySQL's
// guard (rows written inside the window) agrees with the opening Redis's clock decided.
const e2e = await startE2eStack(t)
const { api, db, adminToken, stack } = e2e

async function stockState(productId: number): Promise<StockState> {
  const inventory = stack.urls['inventory-service']![1]!
  const res = await request(`${inventory}/internal/products/${productId}/stock-state`, {
    headers: { authorization: `Bearer ${e2e.serviceToken}` },
  })
  if (res.statusCode !== 200) throw new Error(`stock-state answered ${res.statusCode}`)
  return (await res.body.json()) as StockState
}

const BUYERS = 60
const STOCK = 25
const buyers = await inParallel(BUYERS, 20, async (i) => {
  const res = expectOk(
    await api.register({
      name: `Early ${i}`,
      email: `early${i}@e2e.example.com`,
      password: 'buyer-password',
    }),
  )
  return res.access_token
})

t.test('schedule → refused before the opening → opens by itself → sold exactly, all completed', async (t) => {
  const far = new Date(Date.now() + 3_600_000).toISOString()
  const product = expectOk(
    await api.createProduct(adminToken, {
      name: 'Scheduled console',
      price_cents: 49_900,
      stock: STOCK,
      max_per_user: 1,
      sale_starts_at: far,
    }),
  )
  t.equal(product.sale_starts_at, far)
  t.equal(expectOk(await api.getProduct(product.id)).sale_starts_at, far, 'the product page shows the window')

  const early = await inParallel(BUYERS, 30, (i) =>
    api.createOrder(buyers[i]!, { product_id: product.id, quantity: 1 }),
  )
  for (const res of early) {
    t.equal(res.status, 409)
    t.equal(res.ok ? undefined : res.problem?.code, 'sale_not_started')
    t.equal(res.headers['retry-after'], '60', 'an hour away: Retry-After capped')
  }
  t.same(await db.selectFrom('orders').select('id').where('product_id', '=', product.id).execute(), [])
  t.match((await stockState(product.id)).redis, { available: STOCK, reservations: 0 })

  // Brought forward by the admin API (not open yet, so allowed); every instance follows.
  const opensAt = new Date(Date.now() + 2_000).toISOString()
  const moved = expectOk(await api.updateProduct(adminToken, product.id, { sale_starts_at: opensAt }))
  t.equal(moved.sale_starts_at, opensAt)

  const outcomes = await inParallel(BUYERS, BUYERS, async (i) => {
    for (;;) {
      const res = await api.createOrder(buyers[i]!, { product_id: product.id, quantity: 1 })
      if (res.status === 202) return 'accepted'
      const code = res.ok ? String(res.status) : res.problem?.code
      if (code !== 'sale_not_started') return code
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })
  const accepted = outcomes.filter((o) => o === 'accepted').length
  t.equal(accepted, STOCK, 'exactly the stock was sold')
  t.ok(
    outcomes.every((o) => o === 'accepted' || o === 'out_of_stock'),
    `after the opening only 202 or out_of_stock: ${[...new Set(outcomes)].join(', ')}`,
  )

  const rows = await eventually(async () => {
    const all = await db
      .selectFrom('orders')
      .select(['status', 'failed_reason', 'created_at'])
      .where('product_id', '=', product.id)
      .execute()
    return all.length === STOCK && all.every((r) => r.status !== 'pending') ? all : undefined
  })
  t.same(
    rows.map((r) => r.status),
    Array(STOCK).fill('completed'),
    'every accepted order completed: MySQL guard and Redis opening agree',
  )
  for (const row of rows) t.ok(row.created_at.getTime() >= Date.parse(opensAt), 'written inside the window')
  const state = await eventually(async () => {
    const s = await stockState(product.id)
    return s.redis.reservations === 0 ? s : undefined
  })
  t.equal(state.redis.available, 0)
  t.equal(state.mysql.stock, 0)

  // Open now: its start can no longer move, through the gateway as anywhere.
  const refused = await api.updateProduct(adminToken, product.id, { sale_starts_at: far })
  t.equal(refused.status, 409)
  t.equal(refused.ok ? undefined : refused.problem?.code, 'sale_already_open')
})
