import type { Database } from '@flash/db'
import type { Kysely } from 'kysely'
import type { Revocation } from './revocation-list.ts'

/**
 * The durable side of the revocation list: the shared `revocations` table (every service uses the
 * same MySQL database and migrations). Repository functions, `db` first, epoch seconds at the edge.
 */
export async function saveRevocations(db: Kysely<Database>, revocations: Revocation[]): Promise<void> {
  if (!revocations.length) return
  await db
    .insertInto('revocations')
    .values(revocations.map((r) => ({ kind: r.kind, token_id: r.id, expires_at: new Date(r.until * 1000) })))
    // Revoking twice (a retried logout) keeps the later expiry; never shortens a revocation.
    .onDuplicateKeyUpdate((eb) => ({
      expires_at: eb.fn<Date>('greatest', [eb.ref('expires_at'), eb.fn('values', [eb.ref('expires_at')])]),
    }))
    .execute()
}

/** Every revocation that still matters at `nowSeconds`. */
export async function liveRevocations(db: Kysely<Database>, nowSeconds: number): Promise<Revocation[]> {
  const rows = await db
    .selectFrom('revocations')
    .select(['kind', 'token_id', 'expires_at'])
    .where('expires_at', '>', new Date(nowSeconds * 1000))
    .execute()
  return rows.map((r) => ({ kind: r.kind, id: r.token_id, until: Math.floor(r.expires_at.getTime() / 1000) }))
}

/** Deletes up to `limit` rows whose tokens have all expired; returns how many went. */
export async function pruneRevocations(
  db: Kysely<Database>,
  nowSeconds: number,
  limit = 10_000,
): Promise<number> {
  const result = await db
    .deleteFrom('revocations')
    .where('expires_at', '<=', new Date(nowSeconds * 1000))
    .limit(limit)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
