import { randomBytes } from 'node:crypto'
import { createDb, dropDatabase, ensureDatabase, migrateToLatest } from '@flash/db'
import type { Database } from '@flash/db'
import { Kysely, MysqlDialect } from 'kysely'
import { createPool } from 'mysql2'
import type { Teardown } from './teardown.ts'

/** The MySQL server tests use; override with TEST_MYSQL_URL (no database in the path). */
export const TEST_MYSQL_SERVER = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/'

export interface TestDatabase {
  url: string
  db: Kysely<Database>
  drop(): Promise<void>
}

/** A uniquely named tag for data a test file owns: databases, key prefixes, queue names. */
export function uniqueName(label: string): string {
  return `t_${label.replace(/[^A-Za-z0-9]/g, '_').slice(0, 24)}_${randomBytes(4).toString('hex')}`
}

/**
 * A fresh, migrated database for one test file, dropped on teardown, so files can run in parallel
 * against the same server without seeing each other's rows.
 */
export async function createTestDatabase(t: Teardown, label = 'db'): Promise<TestDatabase> {
  const name = uniqueName(label)
  const url = `${TEST_MYSQL_SERVER.replace(/\/?$/, '/')}${name}`
  await ensureDatabase(url)
  const db = createDb({ url, poolSize: 5 })
  await migrateToLatest(db)
  const drop = async () => {
    await db.destroy()
    await dropDatabase(url)
  }
  t.teardown(drop)
  return { url, db, drop }
}

/**
 * A client whose sessions run in another time zone (e.g. '+05:00'): what every session of a MySQL server
 * not set to UTC looks like, for tests that must not depend on the zone. Destroyed on teardown.
 */
export function createDbInTimeZone(t: Teardown, url: string, zone: string): Kysely<Database> {
  const pool = createPool({ uri: url, connectionLimit: 2, timezone: 'Z' })
  pool.on('connection', (connection) => {
    connection.query(`SET time_zone = '${zone}'`)
  })
  const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) })
  t.teardown(() => db.destroy())
  return db
}
