import { type Kysely, sql } from 'kysely'

// Frozen in time: never edit after it has run anywhere; add a new migration instead.
//
// A product's sale window (UTC, like every DATETIME here): orders are taken from `sale_starts_at`
// (NULL = on sale now) until `sale_ends_at` (NULL = no end). Nullable and without defaults, so the
// change is expand-only: the previous build runs unchanged on it and every existing product stays on
// sale. One ALTER per column: MariaDB 10.11 and MySQL 8.4 both accept the plain ADD COLUMN form.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('products').addColumn('sale_starts_at', sql`datetime(3)`).execute()
  await db.schema.alterTable('products').addColumn('sale_ends_at', sql`datetime(3)`).execute()
  // inventory-service's pre-warm asks every second for the products opening soon: one short range.
  await db.schema.createIndex('products_sale_starts_at').on('products').column('sale_starts_at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('products_sale_starts_at').on('products').execute()
  await db.schema.alterTable('products').dropColumn('sale_ends_at').execute()
  await db.schema.alterTable('products').dropColumn('sale_starts_at').execute()
}
