import { Kysely, MysqlDialect } from 'kysely'
import { createPool } from 'mysql2'
import type { Database } from './schema.ts'

export interface DbOptions {
  /** mysql://user:password@host:port/database */
  url: string
  poolSize?: number
}

/** Parses the URL once so a bad one fails at boot, not on the first query. */
export function parseDatabaseUrl(url: string): { database: string; serverUrl: string } {
  const parsed = new URL(url)
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''))
  if (!/^[A-Za-z0-9_]{1,64}$/.test(database)) {
    throw new Error(`DATABASE_URL must name a database of [A-Za-z0-9_] (got "${database}")`)
  }
  parsed.pathname = '/'
  return { database, serverUrl: parsed.toString() }
}

export function createDb<DB = Database>({ url, poolSize = 10 }: DbOptions): Kysely<DB> {
  parseDatabaseUrl(url)
  const pool = createPool({
    uri: url,
    connectionLimit: poolSize,
    // DATETIME columns hold UTC; read and write them as such whatever the server's zone.
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    enableKeepAlive: true,
  })
  return new Kysely<DB>({ dialect: new MysqlDialect({ pool }) })
}
