import { createTestDatabase } from '@flash/test-kit'
import t from 'tap'
import { failPendingOrders, finalizeOrders } from '../src/repositories/finalize.ts'
import { insertPendingOrder, insertProduct, statusesOf, stockOf } from './fixtures.ts'

const { db } = await createTestDatabase(t, 'finalize')

t.test('a batch completes its orders and decrements each product exactly', async (t) => {
  const a = await insertProduct(db, 10)
  const b = await insertProduct(db, 5)
  const msgs = [
    await insertPendingOrder(db, b, { quantity: 2 }),
    await insertPendingOrder(db, a, { quantity: 3 }),
    await insertPendingOrder(db, a, { quantity: 1 }),
  ]
  const result = await finalizeOrders(
    db,
    msgs.map((m) => m.order_uuid),
    msgs.map((m) => m.product_id),
  )
  t.same(result.missing, [])
  t.same(
    result.orders.map((o) => [o.status, o.changed]),
    [
      ['completed', true],
      ['completed', true],
      ['completed', true],
    ],
  )
  t.equal(await stockOf(db, a), 6)
  t.equal(await stockOf(db, b), 3)
})

t.test('orders beyond MySQL stock fail with insufficient_stock, in id order', async (t) => {
  const p = await insertProduct(db, 3)
  const msgs = [
    await insertPendingOrder(db, p, { quantity: 2 }),
    await insertPendingOrder(db, p, { quantity: 2 }),
    await insertPendingOrder(db, p, { quantity: 1 }),
  ]
  await finalizeOrders(
    db,
    msgs.map((m) => m.order_uuid),
    msgs.map((m) => m.product_id),
  )
  const rows = await statusesOf(
    db,
    msgs.map((m) => m.order_uuid),
  )
  t.same(
    rows.map((r) => r?.status),
    ['completed', 'failed', 'completed'],
  )
  t.equal(rows[1]?.failed_reason, 'insufficient_stock')
  t.equal(await stockOf(db, p), 0)
})

t.test('a redelivered batch changes nothing (exactly-once effect)', async (t) => {
  const p = await insertProduct(db, 10)
  const m = await insertPendingOrder(db, p, { quantity: 4 })
  await finalizeOrders(db, [m.order_uuid], [p])
  const again = await finalizeOrders(db, [m.order_uuid, m.order_uuid], [p, p])
  t.same(
    again.orders.map((o) => [o.status, o.changed]),
    [['completed', false]],
  )
  t.equal(await stockOf(db, p), 6)
})

t.test('an unknown order uuid is reported missing', async (t) => {
  const p = await insertProduct(db, 1)
  const result = await finalizeOrders(db, ['01900000-0000-7000-8000-000000000000'], [p])
  t.same(result, { orders: [], missing: ['01900000-0000-7000-8000-000000000000'] })
})

t.test('a message naming the wrong product leaves its order pending', async (t) => {
  const p = await insertProduct(db, 5)
  const other = await insertProduct(db, 5)
  const m = await insertPendingOrder(db, p)
  const result = await finalizeOrders(db, [m.order_uuid], [other])
  t.equal(result.orders[0]?.status, 'pending')
  t.equal(await stockOf(db, p), 5)
  t.equal(await stockOf(db, other), 5)
})

t.test('concurrent batches on one product never oversell and decide every order', async (t) => {
  const stock = 50
  const p = await insertProduct(db, stock)
  const msgs = []
  for (let i = 0; i < 120; i++) msgs.push(await insertPendingOrder(db, p, { quantity: 1 + (i % 2) }))
  const batches = []
  for (let i = 0; i < msgs.length; i += 10) batches.push(msgs.slice(i, i + 10))
  // Every batch twice, all at once: duplicates race the originals.
  await Promise.all(
    [...batches, ...batches].map((b) =>
      finalizeOrders(
        db,
        b.map((m) => m.order_uuid),
        b.map((m) => m.product_id),
      ),
    ),
  )
  const rows = await statusesOf(
    db,
    msgs.map((m) => m.order_uuid),
  )
  const sold = msgs.reduce((sum, m, i) => sum + (rows[i]?.status === 'completed' ? m.quantity : 0), 0)
  t.ok(
    rows.every((r) => r?.status === 'completed' || r?.status === 'failed'),
    'all terminal',
  )
  t.equal(await stockOf(db, p), stock - sold, 'stock fell by exactly what was completed')
  t.ok(
    sold <= stock && sold >= stock - 1,
    `sold ${sold} of ${stock}: no oversell, no undersell beyond a 2-unit order`,
  )
})

t.test('concurrent batches over two products in opposite order never deadlock or oversell', async (t) => {
  // Each batch names both products, listed in opposite orders: the locks must still be taken in one
  // global order (orders, then products by id), or these would deadlock against each other.
  const a = await insertProduct(db, 30)
  const b = await insertProduct(db, 30)
  const msgs = []
  for (let i = 0; i < 80; i++) msgs.push(await insertPendingOrder(db, i % 2 ? a : b))
  const batches = []
  for (let i = 0; i < msgs.length; i += 10) {
    const batch = msgs.slice(i, i + 10)
    batches.push(i % 20 ? batch.toReversed() : batch)
  }
  await Promise.all(
    batches.map((batch) =>
      finalizeOrders(
        db,
        batch.map((m) => m.order_uuid),
        batch.map((m) => m.product_id),
      ),
    ),
  )
  const rows = await statusesOf(
    db,
    msgs.map((m) => m.order_uuid),
  )
  t.equal(rows.filter((r) => r?.status === 'completed').length, 60, 'all 60 units sold')
  t.equal(rows.filter((r) => r?.status === 'failed').length, 20, 'the other 20 orders failed')
  t.equal(await stockOf(db, a), 0)
  t.equal(await stockOf(db, b), 0)
})

t.test('the DLQ path fails pending orders only', async (t) => {
  const p = await insertProduct(db, 5)
  const done = await insertPendingOrder(db, p)
  await finalizeOrders(db, [done.order_uuid], [p])
  const stuck = await insertPendingOrder(db, p, { quantity: 2 })
  const result = await failPendingOrders(db, [done.order_uuid, stuck.order_uuid], 'processing_failed')
  t.same(
    result.orders.map((o) => [o.order_uuid, o.status, o.changed]),
    [
      [done.order_uuid, 'completed', false],
      [stuck.order_uuid, 'failed', true],
    ],
  )
  t.equal((await statusesOf(db, [stuck.order_uuid]))[0]?.failed_reason, 'processing_failed')
  t.equal(await stockOf(db, p), 4, 'stock untouched by the DLQ path')
})

// Issue 13, item 1: the per-user limit is guarded by MySQL under the product row lock, not only by
// Redis's `users` counts — whatever Redis forgot, a buyer never completes more than max_per_user.
t.test(
  'per-user limit: two orders of one buyer in one batch, the second beyond the limit fails',
  async (t) => {
    const p = await insertProduct(db, 10, { maxPerUser: 2 })
    const msgs = [
      await insertPendingOrder(db, p, { quantity: 2, userId: 7 }),
      await insertPendingOrder(db, p, { quantity: 1, userId: 8 }),
      await insertPendingOrder(db, p, { quantity: 1, userId: 7 }),
    ]
    const result = await finalizeOrders(
      db,
      msgs.map((m) => m.order_uuid),
      msgs.map((m) => m.product_id),
    )
    t.same(
      result.orders.map((o) => [o.user_id, o.status]),
      [
        [7, 'completed'],
        [8, 'completed'],
        [7, 'failed'],
      ],
    )
    const rows = await statusesOf(
      db,
      msgs.map((m) => m.order_uuid),
    )
    t.equal(rows[2]?.failed_reason, 'per_user_limit')
    t.equal(await stockOf(db, p), 7, 'only the completed units left the stock')
  },
)

t.test('per-user limit: units completed by earlier batches count, other products do not', async (t) => {
  const p = await insertProduct(db, 10, { maxPerUser: 3 })
  const other = await insertProduct(db, 10, { maxPerUser: 3 })
  const first = await insertPendingOrder(db, p, { quantity: 2, userId: 9 })
  await finalizeOrders(db, [first.order_uuid], [p])
  const msgs = [
    await insertPendingOrder(db, other, { quantity: 3, userId: 9 }),
    await insertPendingOrder(db, p, { quantity: 2, userId: 9 }),
    await insertPendingOrder(db, p, { quantity: 1, userId: 9 }),
  ]
  await finalizeOrders(
    db,
    msgs.map((m) => m.order_uuid),
    msgs.map((m) => m.product_id),
  )
  const rows = await statusesOf(
    db,
    msgs.map((m) => m.order_uuid),
  )
  t.same(
    rows.map((r) => [r?.status, r?.failed_reason]),
    [
      ['completed', null],
      ['failed', 'per_user_limit'],
      ['completed', null],
    ],
    '2 held + 2 > 3 fails; 2 held + 1 fits; another product has its own count',
  )
  t.equal(await stockOf(db, p), 7)
})

t.test('per-user limit: concurrent batches of one buyer cannot both pass the check', async (t) => {
  const p = await insertProduct(db, 10, { maxPerUser: 1 })
  const msgs = await Promise.all(
    Array.from({ length: 6 }, () => insertPendingOrder(db, p, { quantity: 1, userId: 11 })),
  )
  // Six transactions at once, one order each: the product row lock serialises their checks.
  await Promise.all(msgs.map((m) => finalizeOrders(db, [m.order_uuid], [p])))
  const rows = await statusesOf(
    db,
    msgs.map((m) => m.order_uuid),
  )
  t.equal(rows.filter((r) => r?.status === 'completed').length, 1)
  t.equal(rows.filter((r) => r?.failed_reason === 'per_user_limit').length, 5)
  t.equal(await stockOf(db, p), 9)
})
