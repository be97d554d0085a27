import { type Kysely, sql } from 'kysely'

// Frozen in time: never edit after it has run anywhere; add a new migration instead.
//
// The payment window (issue 17): an order the finalizer commits may wait for its payment
// (`awaiting_payment` until `pay_by`, holding its unit), then end `paid`, or `expired` / `cancelled`
// with its unit back on sale. `payments` is the durable record of every provider event we accepted:
// its unique (provider, event_id) makes a replayed or duplicated webhook unable to count twice, and a
// payment that found its order no longer payable is kept `refund_due` for an admin.
//
// Expand-only: the previous build writes only statuses the new CHECK still allows, never reads the new
// columns, and ignores the new table.

const STATUSES = `'pending', 'completed', 'failed', 'awaiting_payment', 'paid', 'expired', 'cancelled'`

/**
 * The CHECKs on orders.status still standing, by name. MySQL turns a column-level check into a table
 * constraint `orders_chk_N` (dropped by name); MariaDB keeps it in the column definition (dropped by
 * redefining the column, after which it is no longer listed). Both list them in information_schema.
 */
async function statusCheckNames(db: Kysely<any>): Promise<string[]> {
  const rows = await sql<{ name: string }>`
    select tc.constraint_name as name
    from information_schema.table_constraints tc
    join information_schema.check_constraints cc
      on cc.constraint_schema = tc.constraint_schema and cc.constraint_name = tc.constraint_name
    where tc.table_schema = database() and tc.table_name = 'orders' and tc.constraint_type = 'CHECK'
      and cc.check_clause like '%pending%'`.execute(db)
  return rows.rows.map((r) => r.name)
}

async function replaceStatusCheck(db: Kysely<any>, statuses: string): Promise<void> {
  await sql`alter table orders modify status varchar(16) not null default 'pending'`.execute(db)
  for (const name of await statusCheckNames(db)) {
    await sql`alter table orders drop constraint ${sql.id(name)}`.execute(db)
  }
  await sql`alter table orders add constraint orders_status_known check (status in (${sql.raw(statuses)}))`.execute(
    db,
  )
}

export async function up(db: Kysely<any>): Promise<void> {
  await replaceStatusCheck(db, STATUSES)
  await db.schema
    .alterTable('orders')
    // MySQL's clock, like every other time the order engine compares: the finalizer sets it at commit.
    .addColumn('pay_by', sql`datetime(3)`)
    // When inventory-service confirmed that an expired or cancelled order's units are back in its
    // Redis stock: the outbox of that step (NULL = still owed; the finalizer's return pass re-sends it).
    .addColumn('units_returned_at', sql`datetime(3)`)
    .execute()
  // The expiry pass ranges over awaiting_payment rows by deadline.
  await db.schema.createIndex('orders_status_pay_by').on('orders').columns(['status', 'pay_by']).execute()
  // The return pass ranges over expired/cancelled rows whose units are still owed to Redis.
  await db.schema
    .createIndex('orders_status_units_returned')
    .on('orders')
    .columns(['status', 'units_returned_at'])
    .execute()

  // Per product: NULL = the deployment's PAYMENT_WINDOW_SECONDS, 0 = complete at commit.
  await db.schema
    .alterTable('products')
    .addColumn('payment_window_seconds', 'integer', (c) => c.unsigned())
    .execute()

  await db.schema
    .createTable('payments')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('provider', 'varchar(32)', (c) => c.notNull())
    .addColumn('event_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('order_uuid', 'char(36)', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('currency', 'varchar(3)', (c) => c.notNull())
    .addColumn('outcome', 'varchar(16)', (c) =>
      c.notNull().check(sql`outcome in ('applied', 'refund_due', 'refunded')`),
    )
    // Why a payment was not applied: late (order expired / cancelled / past pay_by), duplicate
    // (the order was already paid), amount_mismatch, not_payable.
    .addColumn('reason', 'varchar(32)')
    .addColumn('created_at', sql`datetime(3)`, (c) => c.notNull().defaultTo(sql`current_timestamp(3)`))
    .addColumn('updated_at', sql`datetime(3)`, (c) => c.notNull().defaultTo(sql`current_timestamp(3)`))
    .addUniqueConstraint('payments_provider_event', ['provider', 'event_id'])
    .execute()
  await db.schema.createIndex('payments_order_uuid').on('payments').column('order_uuid').execute()
  // The admin's refund list: refund_due rows, oldest first.
  await db.schema.createIndex('payments_outcome_id').on('payments').columns(['outcome', 'id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('payments').execute()
  await db.schema.alterTable('products').dropColumn('payment_window_seconds').execute()
  await db.schema.dropIndex('orders_status_units_returned').on('orders').execute()
  await db.schema.dropIndex('orders_status_pay_by').on('orders').execute()
  await db.schema.alterTable('orders').dropColumn('units_returned_at').dropColumn('pay_by').execute()
  await sql`alter table orders drop constraint orders_status_known`.execute(db)
  await sql`alter table orders add constraint orders_status_known check (status in ('pending', 'completed', 'failed'))`.execute(
    db,
  )
}
