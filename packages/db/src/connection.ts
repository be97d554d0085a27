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

/** The zone of every session this client opens: DATETIME values are UTC throughout the platform. */
export const SESSION_TIME_ZONE = '+00:00'

export function createDb<DB = Database>({ url, poolSize = 10 }: DbOptions): Kysely<DB> {
  parseDatabaseUrl(url)
  const pool = createPool({
    uri: url,
    connectionLimit: poolSize,
    // DATETIME columns hold UTC; the driver reads and writes JS Dates as such whatever the server's zone.
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    enableKeepAlive: true,
  })
  // …and so must MySQL itself: CURRENT_TIMESTAMP (every created_at/updated_at default) is in the session's
  // zone, the server's by default. Queued on each new connection before anything else runs on it.
  pool.on('connection', (connection) => {
    // A session that cannot be pinned must not serve queries: destroyed, its first query fails (a
    // transient error callers retry) and the pool opens another.
    connection.query(`SET time_zone = '${SESSION_TIME_ZONE}'`, (error) => {
      if (error) connection.destroy()
    })
  })
  return new Kysely<DB>({ dialect: new MysqlDialect({ pool }) })
}
