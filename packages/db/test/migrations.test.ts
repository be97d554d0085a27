import t from 'tap'
import { sql } from 'kysely'
import { createTestDatabase } from '@flash/test-kit'
import {
  assertSchemaCurrent,
  isDuplicateKey,
  migrateDown,
  migrateToLatest,
  schemaStatus,
} from '../src/index.ts'

t.test('a migrated database is current, and the service check says so', async (t) => {
  const { db } = await createTestDatabase(t, 'migrations')
  t.same(await schemaStatus(db), { pending: [], unknown: [] })
  await t.resolves(assertSchemaCurrent(db))
})

t.test('the boot check refuses a database with pending migrations', async (t) => {
  const { db } = await createTestDatabase(t, 'migrations')
  await migrateDown(db)
  const status = await schemaStatus(db)
  t.equal(status.pending.length, 1, 'the last migration is pending again')
  await t.rejects(assertSchemaCurrent(db), /does not match this build: pending migrations/)
  await migrateToLatest(db)
  await t.resolves(assertSchemaCurrent(db))
})

t.test(
  'a database newer than the code (an expand-only migration it does not know) is accepted',
  async (t) => {
    const { db } = await createTestDatabase(t, 'migrations')
    // What the next release's migration leaves behind: a new nullable column and its record.
    await sql`alter table orders add column gift_note varchar(200) null`.execute(db)
    await sql`insert into kysely_migration (name, timestamp) values ('2099-01-01T0000-future', '2099-01-01T00:00:00.000Z')`.execute(
      db,
    )
    const status = await assertSchemaCurrent(db)
    t.same(status, { pending: [], unknown: ['2099-01-01T0000-future'] }, 'reported, not refused')
  },
)

t.test('emails are unique case-insensitively and roles are constrained', async (t) => {
  const { db } = await createTestDatabase(t, 'migrations')
  const base = { name: 'A', password_hash: 'x' }
  await db
    .insertInto('users')
    .values({ ...base, email: 'a@example.com' })
    .execute()
  const duplicate = await db
    .insertInto('users')
    .values({ ...base, email: 'A@EXAMPLE.COM' })
    .execute()
    .catch((error: unknown) => error)
  t.ok(isDuplicateKey(duplicate), 'the collation treats case-variants as the same email')
  await t.rejects(
    sql`insert into users (name, email, password_hash, role) values ('B', 'b@example.com', 'x', 'root')`.execute(
      db,
    ),
  )
})

t.test('stock can never go below zero, whatever the code does', async (t) => {
  const { db } = await createTestDatabase(t, 'migrations')
  const { insertId } = await db
    .insertInto('products')
    .values({ name: 'P', price_cents: 100, stock: 1, supplied: 1 })
    .executeTakeFirstOrThrow()
  await t.rejects(
    sql`update products set stock = stock - 2 where id = ${Number(insertId)}`.execute(db),
    'the CHECK constraint refuses a negative stock',
  )
  const row = await db
    .selectFrom('products')
    .select('stock')
    .where('id', '=', Number(insertId))
    .executeTakeFirstOrThrow()
  t.equal(row.stock, 1)
})

t.test(
  'order statuses of the payment window are allowed, unknown ones refused; one payment per event',
  async (t) => {
    const { db } = await createTestDatabase(t, 'migrations')
    const order = (uuid: string, status: string) =>
      sql`insert into orders (order_uuid, user_id, product_id, quantity, total_price_cents, status, reservation_id)
        values (${uuid}, 1, 1, 1, 100, ${status}, ${uuid})`.execute(db)
    const statuses = ['pending', 'completed', 'failed', 'awaiting_payment', 'paid', 'expired', 'cancelled']
    for (const [i, status] of statuses.entries()) {
      await t.resolves(order(`00000000-0000-4000-8000-00000000000${i}`, status), status)
    }
    await t.rejects(
      order('00000000-0000-4000-8000-000000000009', 'refunded'),
      'the CHECK refuses an unknown status',
    )
    const payment = {
      provider: 'local',
      event_id: 'evt_1',
      order_uuid: '00000000-0000-4000-8000-000000000004',
    }
    const values = { ...payment, amount_cents: 100, currency: 'usd', outcome: 'applied' as const }
    await db.insertInto('payments').values(values).execute()
    const again = await db
      .insertInto('payments')
      .values({ ...values, outcome: 'refund_due' })
      .execute()
      .catch((error: unknown) => error)
    t.ok(isDuplicateKey(again), 'an event id is recorded once per provider')
  },
)
