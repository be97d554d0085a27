import { type Kysely, sql } from 'kysely'

// Frozen in time: never edit after it has run anywhere; add a new migration instead.
// The durable list of revoked access tokens (by jti) and login families (by sid). Redis pub/sub only
// pushes each revocation to the instances that are listening; this table is what every service
// reloads from at start and after a reconnect, so a revocation survives Redis losing its data.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('revocations')
    .addColumn('kind', 'varchar(3)', (c) => c.notNull().check(sql`kind in ('jti', 'sid')`))
    .addColumn('token_id', 'varchar(64)', (c) => c.notNull())
    // After this instant every token the row covers has expired: the row no longer matters.
    .addColumn('expires_at', sql`datetime(3)`, (c) => c.notNull())
    .addColumn('created_at', sql`datetime(3)`, (c) => c.notNull().defaultTo(sql`current_timestamp(3)`))
    .addPrimaryKeyConstraint('revocations_pk', ['kind', 'token_id'])
    .execute()
  // Loading the live ones and pruning the dead ones both range over expires_at.
  await db.schema.createIndex('revocations_expires_at').on('revocations').column('expires_at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('revocations').execute()
}
