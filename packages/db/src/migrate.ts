// biome-ignore-all lint/suspicious/noExplicitAny: migrations run against any schema version, by design
import { type Kysely, sql } from 'kysely'
import { type MigrationResultSet, Migrator } from 'kysely/migration'
import { createDb, parseDatabaseUrl, withDatabase } from './connection.ts'
import { migrations } from './migrations/index.ts'

function migratorFor(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } })
}

/** CREATE DATABASE IF NOT EXISTS, through a connection to the server without a default database. */
export async function ensureDatabase(url: string): Promise<void> {
  const { database } = parseDatabaseUrl(url)
  const server = createDb({ url: withDatabase(url, 'mysql'), poolSize: 1 })
  try {
    await sql`create database if not exists ${sql.id(database)} character set utf8mb4 collate utf8mb4_unicode_ci`.execute(
      server,
    )
  } finally {
    await server.destroy()
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const { database } = parseDatabaseUrl(url)
  const server = createDb({ url: withDatabase(url, 'mysql'), poolSize: 1 })
  try {
    await sql`drop database if exists ${sql.id(database)}`.execute(server)
  } finally {
    await server.destroy()
  }
}

function unwrap(result: MigrationResultSet): string[] {
  if (result.error) throw result.error
  return (result.results ?? []).map((r) => `${r.direction} ${r.migrationName}: ${r.status}`)
}

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return unwrap(await migratorFor(db).migrateToLatest())
}

export async function migrateDown(db: Kysely<any>): Promise<string[]> {
  return unwrap(await migratorFor(db).migrateDown())
}

export interface SchemaStatus {
  pending: string[]
  /** Migrations the database has run that this code does not know: it is newer than us. */
  unknown: string[]
}

export async function schemaStatus(db: Kysely<any>): Promise<SchemaStatus> {
  const infos = await migratorFor(db).getMigrations()
  const known = new Set(Object.keys(migrations))
  let executed: string[] = []
  try {
    const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(db)
    executed = rows.rows.map((r) => r.name)
  } catch {
    executed = []
  }
  return {
    pending: infos.filter((m) => !m.executedAt).map((m) => m.name),
    unknown: executed.filter((name) => !known.has(name)),
  }
}

/**
 * A service calls this at boot and refuses to start only when a migration it was written for has not
 * run (its queries would fail). A database with migrations this build does not know is a newer
 * release's schema: migrations only expand (new tables, new nullable or defaulted columns; anything
 * dropped or renamed only after no running release reads it, docs/deploy.md), so the previous
 * release keeps working on it — a deployment's rollback and any scale-out of the previous task
 * definition depend on that. Returns the status so the caller can log what it does not know.
 */
export async function assertSchemaCurrent(db: Kysely<any>): Promise<SchemaStatus> {
  const status = await schemaStatus(db)
  if (status.pending.length)
    throw new Error(
      `Database schema does not match this build: pending migrations ${status.pending.join(', ')} (run npm run migrate)`,
    )
  return status
}
