import type { Kysely } from 'kysely'

// Frozen in time: never edit after it has run anywhere; add a new migration instead.
//
// The durable half of Idempotency-Key: Redis holds the fast record (in flight, replayable answers),
// but a 202 is only as good as its order row, so the row carries its key and the request's
// fingerprint. The unique key makes a second order for one key impossible whatever Redis forgot
// (flush, failover to an empty replica); the fingerprint tells a replay (same body) from a reuse (422).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('orders')
    .addColumn('idempotency_key', 'varchar(255)')
    .addColumn('idempotency_fp', 'varchar(64)')
    .execute()
  // NULL keys (orders placed without a header) never collide: unique indexes ignore NULLs.
  await db.schema
    .createIndex('orders_user_idempotency_key')
    .on('orders')
    .columns(['user_id', 'idempotency_key'])
    .unique()
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('orders_user_idempotency_key').on('orders').execute()
  await db.schema.alterTable('orders').dropColumn('idempotency_fp').dropColumn('idempotency_key').execute()
}
