import { type Kysely, sql } from 'kysely'
import { parseDatabaseUrl } from './connection.ts'

/** What the services may do: read and write rows. No DDL, no GRANT, no other database. */
export const APP_PRIVILEGES = 'SELECT, INSERT, UPDATE, DELETE'

/**
 * Creates (or re-passwords) the services' MySQL user from its URL and grants it row access to its
 * database only. Run by the migration task as the database owner: the services connect as this user,
 * so a compromised or buggy service can neither change the schema nor reach another database. Idempotent,
 * so every migration run also applies a rotated password.
 */
export async function ensureAppUser<DB>(owner: Kysely<DB>, appUrl: string): Promise<string> {
  const { database } = parseDatabaseUrl(appUrl)
  const parsed = new URL(appUrl)
  const user = decodeURIComponent(parsed.username)
  const password = decodeURIComponent(parsed.password)
  if (!/^[A-Za-z0-9_]{1,32}$/.test(user))
    throw new Error(`app user name must be [A-Za-z0-9_]{1,32} (got "${user}")`)
  if (password.length < 16) throw new Error('app user password must be at least 16 characters')
  const account = sql`${sql.lit(user)}@'%'`
  await sql`create user if not exists ${account} identified by ${password}`.execute(owner)
  // An existing user keeps its grants; the password follows the secret (rotation).
  await sql`alter user ${account} identified by ${password}`.execute(owner)
  await sql`grant ${sql.raw(APP_PRIVILEGES)} on ${sql.id(database)}.* to ${account}`.execute(owner)
  return `app user ${user}: ${APP_PRIVILEGES} on ${database}.*`
}

/** Test and teardown helper: removes the user (never the owner running it). */
export async function dropAppUser<DB>(owner: Kysely<DB>, user: string): Promise<void> {
  await sql`drop user if exists ${sql.lit(user)}@'%'`.execute(owner)
}
