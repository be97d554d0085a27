import type { Database } from '@flash/db'
import type { Kysely } from 'kysely'
import type { PasswordHasher } from '../passwords/password.ts'
import { findUserByEmail, upsertAdmin } from '../repositories/users.ts'

export interface AdminSeed {
  email: string
  password: string
  name?: string
}

export type SeedResult = 'created' | 'updated' | 'unchanged'

/**
 * Makes sure `email` is an admin account whose password is `password`. Idempotent: run at every
 * start; it writes only when the account is missing, not admin, or has another password. Racing
 * instances are safe: the write is an upsert on the unique email key.
 */
export async function seedAdmin(
  db: Kysely<Database>,
  passwords: PasswordHasher,
  { email, password, name = 'Administrator' }: AdminSeed,
): Promise<SeedResult> {
  const existing = await findUserByEmail(db, email)
  if (
    existing?.role === 'admin' &&
    !passwords.needsRehash(existing.password_hash) &&
    (await passwords.verify(password, existing.password_hash))
  ) {
    return 'unchanged'
  }
  await upsertAdmin(db, { name, email, passwordHash: await passwords.hash(password) })
  return existing ? 'updated' : 'created'
}
