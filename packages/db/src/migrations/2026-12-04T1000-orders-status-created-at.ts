import type { Kysely } from 'kysely'

// Frozen in time: never edit after it has run anywhere; add a new migration instead.
//
// The finalizer's stale-pending sweep asks, on every instance every few seconds, for the oldest
// pending orders created before a cut-off: this index answers that with one short range (pending
// rows are few) instead of one probe of (product_id, status) per product. Expand-only: the previous
// build runs unchanged on it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('orders_status_created_at')
    .on('orders')
    .columns(['status', 'created_at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('orders_status_created_at').on('orders').execute()
}
