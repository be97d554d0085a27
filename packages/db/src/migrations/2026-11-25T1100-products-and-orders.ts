import { type Kysely, sql } from 'kysely'

// Frozen in time: never edit after it has run anywhere; add a new migration instead.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('products')
    .addColumn('id', 'integer', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('price_cents', 'integer', (c) => c.unsigned().notNull())
    // I1 in the schema itself: no code path can take stock below zero.
    .addColumn('stock', 'integer', (c) => c.notNull().check(sql`stock >= 0`))
    // I2 bookkeeping: every unit ever made available (initial + restocks), so the audit can prove
    // stock = supplied − Σ completed at any time.
    .addColumn('supplied', 'bigint', (c) => c.notNull().check(sql`supplied >= 0`))
    .addColumn('max_per_user', 'integer', (c) => c.unsigned())
    .addColumn('created_at', sql`datetime(3)`, (c) => c.notNull().defaultTo(sql`current_timestamp(3)`))
    .addColumn('updated_at', sql`datetime(3)`, (c) => c.notNull().defaultTo(sql`current_timestamp(3)`))
    .execute()

  await db.schema
    .createTable('orders')
    .addColumn('id', 'bigint', (c) => c.unsigned().autoIncrement().primaryKey())
    .addColumn('order_uuid', 'char(36)', (c) => c.notNull().unique())
    .addColumn('user_id', 'bigint', (c) => c.unsigned().notNull())
    // No foreign key on purpose: an FK check takes a shared lock on the parent products row, which
    // the finalizer holds exclusively while it commits a batch — every order intake on the hot
    // product would queue behind it, and the two lock orders deadlock (seen in the e2e flash sale).
    // The reservation in inventory-service already proves the product exists.
    .addColumn('product_id', 'integer', (c) => c.unsigned().notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
    .addColumn('total_price_cents', 'bigint', (c) => c.unsigned().notNull())
    .addColumn('status', 'varchar(16)', (c) =>
      c.notNull().defaultTo('pending').check(sql`status in ('pending', 'completed', 'failed')`),
    )
    .addColumn('failed_reason', 'varchar(255)')
    // One reservation backs one order; the unique key makes a replayed intake unable to double up.
    .addColumn('reservation_id', 'char(36)', (c) => c.notNull().unique())
    .addColumn('request_id', 'varchar(128)')
    .addColumn('created_at', sql`datetime(3)`, (c) => c.notNull().defaultTo(sql`current_timestamp(3)`))
    .addColumn('updated_at', sql`datetime(3)`, (c) => c.notNull().defaultTo(sql`current_timestamp(3)`))
    .execute()
  // "My orders", newest first, paginated by id.
  await db.schema.createIndex('orders_user_id').on('orders').columns(['user_id', 'id']).execute()
  // Warm-up and the audit sum pending/completed quantities per product (and per user for limits).
  await db.schema
    .createIndex('orders_product_status')
    .on('orders')
    .columns(['product_id', 'status', 'user_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('orders').execute()
  await db.schema.dropTable('products').execute()
}
