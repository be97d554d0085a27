import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { InventoryCallError, InventoryInternalClient } from '@flash/api-client'
import t from 'tap'
import { ReserveBatcher } from '../src/intake/reserve-batcher.ts'
import { available, createProduct, createWorld, metric, SERVICE_TOKEN } from './helpers.ts'

const world = await createWorld(t, 'ord-reserve-batch')
const INVENTORY_URL = world.env.INVENTORY_URL!

function client(url = INVENTORY_URL) {
  const inventory = new InventoryInternalClient({ url, serviceToken: SERVICE_TOKEN, timeoutMs: 2_000 })
  t.teardown(() => inventory.close())
  return inventory
}

/** Calls inventory-service answered on a reservation route (from its own /metrics). */
const calls = (route: string) =>
  metric(world.inventory, 'http_requests_total', `route="${route}",status="200"`)

const reservation = (productId: number, userId: number, quantity = 1) => ({
  reservation_id: crypto.randomUUID(),
  product_id: productId,
  user_id: userId,
  quantity,
})

t.test('reserves asked for in one turn go out in batches; each caller gets its own outcome', async (t) => {
  const id = await createProduct(world, { stock: 12, maxPerUser: 2 })
  const batcher = new ReserveBatcher(client(), { maxItems: 8 })
  const batchesBefore = await calls('/internal/reservations/batch')
  const singlesBefore = await calls('/internal/reservations')

  // 20 orders of one unit by 10 buyers (2 each: the limit), then a third for buyer 1, on 12 units.
  const asks = [
    ...Array.from({ length: 20 }, (_, i) => reservation(id, 100 + (i % 10))),
    reservation(id, 100),
  ]
  const outcomes = await Promise.all(asks.map((ask) => batcher.reserve(ask, 'req-batch')))
  const granted = outcomes.filter((o) => o.ok)
  t.equal(granted.length, 12, 'exactly the stock is reserved')
  t.same(
    granted.map((o) => (o as { reservation_id: string }).reservation_id),
    asks.filter((_, i) => outcomes[i]!.ok).map((a) => a.reservation_id),
    'each caller got the outcome of its own reservation',
  )
  const refused = outcomes.filter((o) => !o.ok).map((o) => (o as { reason: string }).reason)
  t.ok(
    refused.every((r) => r === 'out_of_stock' || r === 'per_user_limit'),
    `refusals: ${[...new Set(refused)].join(', ')}`,
  )
  t.equal(await available(world, id), 0)
  t.equal(
    (await calls('/internal/reservations/batch')) - batchesBefore,
    Math.ceil(asks.length / 8),
    '21 reserves in 3 calls of at most 8',
  )
  t.equal((await calls('/internal/reservations')) - singlesBefore, 0, 'no single call')
})

t.test('a reserve alone goes at once, as a batch of one', async (t) => {
  const id = await createProduct(world, { stock: 3 })
  const batcher = new ReserveBatcher(client())
  const singlesBefore = await calls('/internal/reservations')
  const batchesBefore = await calls('/internal/reservations/batch')
  const outcome = await batcher.reserve(reservation(id, 7, 2), 'req-alone')
  t.match(outcome, { ok: true })
  t.equal((await calls('/internal/reservations/batch')) - batchesBefore, 1)
  t.equal((await calls('/internal/reservations')) - singlesBefore, 0, 'the batch endpoint only')
  t.equal(await available(world, id), 1)
})

t.test('a call that fails fails each of its callers', async (t) => {
  // A port nothing listens on: the connection is refused.
  const closed = http.createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const port = (closed.address() as AddressInfo).port
  await new Promise((resolve) => closed.close(resolve))
  const batcher = new ReserveBatcher(client(`http://127.0.0.1:${port}`))
  const results = await Promise.allSettled(
    Array.from({ length: 5 }, (_, i) => batcher.reserve(reservation(1, 200 + i), 'req-down')),
  )
  t.ok(
    results.every((r) => r.status === 'rejected' && r.reason instanceof InventoryCallError),
    'every caller rejected with InventoryCallError',
  )
})
