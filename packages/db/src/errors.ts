/** MySQL/MariaDB error numbers we react to, so callers never match on message text. */
const DUPLICATE_KEY = 1062
const LOCK_WAIT_TIMEOUT = 1205
const DEADLOCK = 1213
const NOWAIT_LOCK = 3572

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

/** Worth retrying: lock contention, deadlock victim, or the connection itself failed. */
export function isTransientDbError(error: unknown): boolean {
  const n = errno(error)
  if (n === LOCK_WAIT_TIMEOUT || n === DEADLOCK || n === NOWAIT_LOCK) return true
  const code = (error as { code?: string } | null)?.code
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'PROTOCOL_CONNECTION_LOST' ||
    code === 'ETIMEDOUT' ||
    code === 'EPIPE'
  )
}
