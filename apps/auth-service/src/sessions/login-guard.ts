import { createHash } from 'node:crypto'
import { withTimeout } from '@flash/service-kit'
import type { Redis, Result } from 'ioredis'

/**
 * Per-account login throttling, on top of the per-IP limit: credential stuffing and password
 * guessing rotate addresses, so the account is what must slow down.
 *
 * The choice (docs/security.md): a short lockout. After `maxFailures` wrong passwords for one email
 * within `windowSeconds`, logins for it are refused with 429 + Retry-After for `lockSeconds`, counted
 * from the failure that reached the threshold; attempts during the lock are refused before any
 * password check and are not counted, so the lock ends on time whatever the attacker sends. A
 * successful login clears the count. A victim is locked out for at most `lockSeconds` per
 * `maxFailures` wrong guesses — and an attacker who sustains it is limited per address and logged.
 * Unknown emails are counted exactly like known ones: the answer never tells whether an account exists.
 *
 * Counted in Redis (shared by every instance) under a hash of the email (no address in Redis);
 * counted per instance too, and the higher count decides, so a Redis outage or stall (past
 * `timeoutMs`) never opens the door and never makes a login wait.
 */
export interface LoginGuardOptions {
  redis: Redis
  maxFailures: number
  windowSeconds: number
  lockSeconds: number
  timeoutMs: number
  onFallback: (error: Error) => void
}

const FAIL = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if n >= tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return n`

const STATE = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
return {n, redis.call('PTTL', KEYS[1])}`

declare module 'ioredis' {
  interface RedisCommander<Context> {
    loginFail(key: string, windowMs: number, max: number, lockMs: number): Result<number, Context>
    loginState(key: string): Result<[number, number], Context>
  }
}

interface Count {
  failures: number
  expiresAt: number
}

const MAX_LOCAL_KEYS = 50_000

export class LoginGuard {
  readonly #o: LoginGuardOptions
  readonly #local = new Map<string, Count>()

  constructor(options: LoginGuardOptions) {
    this.#o = options
    if (!options.redis.loginFail) {
      options.redis.defineCommand('loginFail', { numberOfKeys: 1, lua: FAIL })
      options.redis.defineCommand('loginState', { numberOfKeys: 1, lua: STATE })
    }
  }

  /** Recent failures of this account, and the seconds until it may try again (0: not locked). */
  async check(email: string): Promise<{ failures: number; retryAfter: number }> {
    const key = keyOf(email)
    const local = this.#localCount(key)
    const [shared, ttlMs] = await this.#redisOr(this.#o.redis.loginState(key), [0, 0])
    const lockedMs = Math.max(
      shared >= this.#o.maxFailures ? ttlMs : 0,
      local && local.failures >= this.#o.maxFailures ? local.expiresAt - Date.now() : 0,
    )
    return {
      failures: Math.max(shared, local?.failures ?? 0),
      retryAfter: lockedMs > 0 ? Math.ceil(lockedMs / 1000) : 0,
    }
  }

  async failed(email: string): Promise<void> {
    const key = keyOf(email)
    const now = Date.now()
    const count = this.#localCount(key) ?? { failures: 0, expiresAt: now + this.#o.windowSeconds * 1000 }
    count.failures += 1
    if (count.failures >= this.#o.maxFailures) count.expiresAt = now + this.#o.lockSeconds * 1000
    this.#remember(key, count)
    const { windowSeconds, maxFailures, lockSeconds } = this.#o
    await this.#redisOr(
      this.#o.redis.loginFail(key, windowSeconds * 1000, maxFailures, lockSeconds * 1000),
      0,
    )
  }

  async succeeded(email: string): Promise<void> {
    const key = keyOf(email)
    this.#local.delete(key)
    await this.#redisOr(this.#o.redis.del(key), 0)
  }

  #localCount(key: string): Count | undefined {
    const count = this.#local.get(key)
    if (count && count.expiresAt <= Date.now()) {
      this.#local.delete(key)
      return undefined
    }
    return count
  }

  #remember(key: string, count: Count): void {
    this.#local.delete(key)
    if (this.#local.size >= MAX_LOCAL_KEYS) {
      const oldest = this.#local.keys().next().value
      if (oldest !== undefined) this.#local.delete(oldest)
    }
    this.#local.set(key, count)
  }

  /** Redis' answer, or `fallback` (the local count then decides) when it fails or is too slow. */
  #redisOr<T>(call: Promise<T>, fallback: T): Promise<T> {
    return withTimeout(
      call,
      this.#o.timeoutMs,
      `login guard: Redis slower than ${this.#o.timeoutMs} ms`,
    ).catch((error: Error) => {
      this.#o.onFallback(error)
      return fallback
    })
  }
}

const keyOf = (email: string) =>
  `auth:login-fail:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 40)}`
