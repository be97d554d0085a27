import { createTestDatabase } from '@flash/test-kit'
import { sql } from 'kysely'
import t from 'tap'
import { finalizeOrders } from '../src/repositories/finalize.ts'
import { insertPendingOrder, insertProduct, statusesOf, stockOf } from './fixtures.ts'

// MySQL guards the sale window whatever Redis let through: an order whose row MySQL wrote (created_at,
// MySQL's own clock) before its product's sale opened, or once it had ended, fails and takes no stock.
const { db } = await createTestDatabase(t, 'fin-sale-window')

/** Sets a product's window relative to MySQL's clock, in seconds (null: no bound). */
async function setWindow(productId: number, startsIn: number | null, endsIn: number | null) {
  const at = (s: number | null) => (s === null ? sql`null` : sql`current_timestamp(3) + interval ${s} second`)
  await sql`update products set sale_starts_at = ${at(startsIn)}, sale_ends_at = ${at(endsIn)} where id = ${productId}`.execute(
    db,
  )
}

async function finalize(messages: { order_uuid: string; product_id: number }[]) {
  return finalizeOrders(
    db,
    messages.map((m) => m.order_uuid),
    messages.map((m) => m.product_id),
  )
}

t.test('a row written before the opening fails sale_not_started and takes no stock', async (t) => {
  const p = await insertProduct(db, 10)
  await setWindow(p, 3600, null)
  // Written now, an hour before the opening: as if Redis had opened the sale early (a state restored
  // from before the window moved, a window applied late to Redis).
  const early = await insertPendingOrder(db, p, { quantity: 2 })
  const result = await finalize([early])
  t.same(
    result.orders.map((o) => [o.status, o.changed]),
    [['failed', true]],
  )
  t.same((await statusesOf(db, [early.order_uuid]))[0]?.failed_reason, 'sale_not_started')
  t.equal(await stockOf(db, p), 10)
})

t.test(
  'once the sale is open the same kind of row completes; a row written before it still fails',
  async (t) => {
    const p = await insertProduct(db, 10)
    await setWindow(p, 3600, null)
    const early = await insertPendingOrder(db, p, { quantity: 1 })
    // The sale opened (moved back in MySQL to before now); a row written after that completes.
    await setWindow(p, -1, null)
    const onTime = await insertPendingOrder(db, p, { quantity: 1 })
    await sql`update orders set created_at = current_timestamp(3) - interval 10 second where order_uuid = ${early.order_uuid}`.execute(
      db,
    )
    await finalize([early, onTime])
    const rows = await statusesOf(db, [early.order_uuid, onTime.order_uuid])
    t.same(
      rows.map((r) => [r?.status, r?.failed_reason]),
      [
        ['failed', 'sale_not_started'],
        ['completed', null],
      ],
    )
    t.equal(await stockOf(db, p), 9)
  },
)

t.test('a row written after the end fails sale_ended; without a window nothing changes', async (t) => {
  const ended = await insertProduct(db, 5)
  await setWindow(ended, -3600, -60)
  const late = await insertPendingOrder(db, ended)
  const plain = await insertProduct(db, 5)
  const any = await insertPendingOrder(db, plain)
  await finalize([late, any])
  const rows = await statusesOf(db, [late.order_uuid, any.order_uuid])
  t.same(
    rows.map((r) => [r?.status, r?.failed_reason]),
    [
      ['failed', 'sale_ended'],
      ['completed', null],
    ],
  )
  t.equal(await stockOf(db, ended), 5)
  t.equal(await stockOf(db, plain), 4)
})
