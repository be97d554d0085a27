import type { Database, Db, RefreshToken } from '@flash/db'
import type { Transaction } from 'kysely'

export interface NewRefreshTokenInput {
  familyId: string
  userId: number
  tokenHash: string
  expiresAt: Date
  createdAt: Date
}

export async function insertRefreshToken(db: Db, input: NewRefreshTokenInput): Promise<void> {
  await db
    .insertInto('refresh_tokens')
    .values({
      family_id: input.familyId,
      user_id: input.userId,
      token_hash: input.tokenHash,
      expires_at: input.expiresAt,
      // Written by the app, like expires_at: the family's age is compared with the app's clock.
      created_at: input.createdAt,
    })
    .execute()
}

/** When the family's first token was issued: its absolute lifetime counts from there. */
export async function familyStartedAt(db: Db, familyId: string): Promise<Date | undefined> {
  const row = await db
    .selectFrom('refresh_tokens')
    .select((eb) => eb.fn.min('created_at').as('started_at'))
    .where('family_id', '=', familyId)
    .executeTakeFirst()
  return row?.started_at ? new Date(row.started_at) : undefined
}

/**
 * Finds a token by hash and locks its row until the transaction ends, so two refreshes with one
 * token are serialised. The lock is taken through the primary key, not the unique `token_hash`
 * index: waiters queued on a next-key lock of that index would deadlock with the winner's insert of
 * the next token into the same index.
 */
export async function findByHashForUpdate(
  trx: Transaction<Database>,
  tokenHash: string,
): Promise<RefreshToken | undefined> {
  const found = await trx
    .selectFrom('refresh_tokens')
    .select('id')
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst()
  if (!found) return undefined
  return trx
    .selectFrom('refresh_tokens')
    .selectAll()
    .where('id', '=', found.id)
    .forUpdate()
    .executeTakeFirst()
}

export async function markRotated(db: Db, id: number, at: Date): Promise<void> {
  await db.updateTable('refresh_tokens').set({ rotated_at: at }).where('id', '=', id).execute()
}

/** Kills every refresh token of a login family that is not already dead; returns how many. */
export async function revokeFamily(db: Db, familyId: string, at: Date): Promise<number> {
  const result = await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: at })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}
