/** MySQL/MariaDB error numbers we react to, so callers never match on message text. */
const DUPLICATE_KEY = 1062
const LOCK_WAIT_TIMEOUT = 1205
const DEADLOCK = 1213
const NOWAIT_LOCK = 3572
// The server refused or dropped the connection: too many connections, shutting down, killed.
const TOO_MANY_CONNECTIONS = 1040
const SERVER_SHUTDOWN = 1053
const CONNECTION_KILLED = 1927
const CONNECTION_UNAVAILABLE = new Set([TOO_MANY_CONNECTIONS, SERVER_SHUTDOWN, CONNECTION_KILLED])

function errno(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'errno' in error
    ? (error as { errno?: number }).errno
    : undefined
}

export function isDuplicateKey(error: unknown): boolean {
  return errno(error) === DUPLICATE_KEY
}

export function isDeadlock(error: unknown): boolean {
  return errno(error) === DEADLOCK
}

export function isLockTimeout(error: unknown): boolean {
  const n = errno(error)
  return n === LOCK_WAIT_TIMEOUT || n === NOWAIT_LOCK
}

/** Worth retrying: lock contention, deadlock victim, or the connection itself failed or was refused. */
export function isTransientDbError(error: unknown): boolean {
  const n = errno(error)
  if (n === LOCK_WAIT_TIMEOUT || n === DEADLOCK || n === NOWAIT_LOCK) return true
  if (n !== undefined && CONNECTION_UNAVAILABLE.has(n)) return true
  // The driver marks an error `fatal` when the connection is unusable. One without a server answer
  // (no sqlState: not e.g. access denied) is the connection that broke — and what a transaction throws
  // when the connection broke under it: kysely's ROLLBACK on the dead connection fails with "closed
  // state" (no code) and that error replaces the lost connection's.
  const fatal = error as { fatal?: unknown; sqlState?: unknown } | null
  if (fatal?.fatal === true && fatal.sqlState === undefined) return true
  const code = (error as { code?: string } | null)?.code
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'PROTOCOL_CONNECTION_LOST' ||
    code === 'ETIMEDOUT' ||
    code === 'EPIPE'
  )
}

/**
 * True only when we know the statement did not take effect: the server answered it with an error
 * (InnoDB rolled the statement back), or no server was ever reached. Anything else — a lost
 * connection, a timeout of ours, a reset after the request left — is ambiguous: the statement may
 * have committed and only its reply been lost, so the caller must find out before compensating.
 */
export function statementNotApplied(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const e = error as { sqlState?: unknown; fatal?: unknown; syscall?: unknown; code?: unknown }
  if (typeof e.sqlState === 'string' && e.fatal !== true) return true
  return e.syscall === 'connect' || e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND'
}
