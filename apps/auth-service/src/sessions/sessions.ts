import type { AuthUser, Role, TokenPair } from '@flash/contracts'
import { type Database, newUuid, transactionWithRetry } from '@flash/db'
import type { Kysely, Transaction } from 'kysely'
import type { RevocationList } from '@flash/service-kit'
import type { Revocation } from '@flash/service-kit'
import {
  invalidRefreshToken,
  refreshTokenReused,
  refreshUnavailable,
  revocationUnavailable,
} from '../errors.ts'
import { hashRefreshToken, type TokenIssuer } from './tokens.ts'
import {
  familyStartedAt,
  findByHashForUpdate,
  insertRefreshToken,
  markRotated,
  revokeFamily,
} from '../repositories/refresh-tokens.ts'
import { findUserById } from '../repositories/users.ts'

/**
 * Any access token lives at most this long (AuthEnv caps ACCESS_TOKEN_TTL_SECONDS at 900), so a
 * family (`sid`) revocation kept this long outlives every access token of that family, including
 * ones issued by an instance configured with a longer TTL than ours.
 */
export const MAX_ACCESS_TTL_SECONDS = 900

export interface SessionDeps {
  db: Kysely<Database>
  tokens: TokenIssuer
  revocations: RevocationList
  refreshTtlSeconds: number
  /** A family (one login) is refused past this age however often it rotated (absolute lifetime). */
  familyMaxAgeSeconds: number
}

type RotationOutcome =
  | { kind: 'rotated'; user: { id: number; role: Role }; familyId: string; refresh: string }
  | { kind: 'reused'; familyId: string; userId: number; revocation: Revocation }
  | { kind: 'invalid' }

/**
 * Login sessions: a family of refresh tokens (one per rotation) plus the access tokens issued
 * from it, which carry the family id as `sid`. Rotation and reuse detection happen under a row
 * lock; revocations of access tokens go through the shared RevocationList (MySQL, then Redis pub/sub).
 */
export class Sessions {
  readonly #deps: SessionDeps

  constructor(deps: SessionDeps) {
    this.#deps = deps
  }

  /** A new family: stores its first refresh token (in `db`, which may be the caller's transaction). */
  async start(
    db: Kysely<Database> | Transaction<Database>,
    user: { id: number; role: Role },
  ): Promise<TokenPair> {
    const familyId = newUuid()
    const refresh = this.#deps.tokens.mintRefresh()
    const now = new Date()
    await insertRefreshToken(db, {
      familyId,
      userId: user.id,
      tokenHash: refresh.hash,
      expiresAt: this.#refreshExpiry(now, now),
      createdAt: now,
    })
    return this.#pair(user, familyId, refresh.token)
  }

  /**
   * Exchanges a live refresh token for a new pair; the presented one is dead afterwards. A token
   * that was already rotated is a stolen or replayed one: the whole family dies, access tokens too,
   * and `onReuse` hears of it (the caller records the security event with the client's address).
   */
  async rotate(presented: string, onReuse: (userId: number) => void = () => {}): Promise<TokenPair> {
    const now = new Date()
    let outcome: RotationOutcome
    try {
      outcome = await transactionWithRetry(this.#deps.db, (trx) => this.#rotateIn(trx, presented, now))
    } catch (error) {
      // Nothing committed: the presented token is as it was, so the client's retry is safe.
      throw refreshUnavailable(error)
    }
    if (outcome.kind === 'reused') {
      // Durable already (same transaction as the family's refresh tokens); now refused everywhere.
      this.#deps.revocations.announce([outcome.revocation])
      onReuse(outcome.userId)
      throw refreshTokenReused()
    }
    if (outcome.kind === 'invalid') throw invalidRefreshToken()
    return this.#pair(outcome.user, outcome.familyId, outcome.refresh)
  }

  /**
   * One rotation under the presented token's row lock. A reuse writes the family's refresh-token
   * revocation and its access-token (`sid`) revocation in this one transaction: a failure of either
   * rolls both back, so a retry finds the token still rotated-not-revoked and revokes again — never a
   * dead family whose stolen access tokens stay valid.
   */
  async #rotateIn(trx: Transaction<Database>, presented: string, now: Date): Promise<RotationOutcome> {
    const row = await findByHashForUpdate(trx, hashRefreshToken(presented))
    if (!row || row.revoked_at) return { kind: 'invalid' }
    if (row.rotated_at) {
      await revokeFamily(trx, row.family_id, now)
      const revocation: Revocation = { kind: 'sid', id: row.family_id, until: this.#familyRevocationUntil() }
      await this.#deps.revocations.store(trx, [revocation])
      return { kind: 'reused', familyId: row.family_id, userId: Number(row.user_id), revocation }
    }
    if (row.expires_at.getTime() <= now.getTime()) return { kind: 'invalid' }
    const startedAt = (await familyStartedAt(trx, row.family_id)) ?? now
    if (this.#familyDeadline(startedAt) <= now.getTime()) return { kind: 'invalid' }
    const user = await findUserById(trx, Number(row.user_id))
    if (!user) return { kind: 'invalid' }
    await markRotated(trx, Number(row.id), now)
    const refresh = this.#deps.tokens.mintRefresh()
    await insertRefreshToken(trx, {
      familyId: row.family_id,
      userId: Number(user.id),
      tokenHash: refresh.hash,
      expiresAt: this.#refreshExpiry(now, startedAt),
      createdAt: now,
    })
    return {
      kind: 'rotated',
      user: { id: Number(user.id), role: user.role },
      familyId: row.family_id,
      refresh: refresh.token,
    }
  }

  /**
   * Logout: this access token and every token of its family are refused everywhere from now on.
   * Resolves only once that is durable in MySQL (the refresh family and the revocations table); the
   * push through Redis follows and is retried by the RevocationList. Idempotent: a retry after a
   * 503 or a lost answer does the same writes again and succeeds.
   */
  async end(user: AuthUser): Promise<void> {
    try {
      await revokeFamily(this.#deps.db, user.sid, new Date())
      await this.#deps.revocations.revoke([
        { kind: 'jti', id: user.jti, until: user.exp },
        { kind: 'sid', id: user.sid, until: this.#familyRevocationUntil() },
      ])
    } catch (error) {
      throw revocationUnavailable(error)
    }
  }

  #familyRevocationUntil(): number {
    return Math.floor(Date.now() / 1000) + MAX_ACCESS_TTL_SECONDS + 1
  }

  /** Idle expiry of a new refresh token, never past its family's absolute deadline. */
  #refreshExpiry(now: Date, familyStartedAt: Date): Date {
    const idle = now.getTime() + this.#deps.refreshTtlSeconds * 1000
    return new Date(Math.min(idle, this.#familyDeadline(familyStartedAt)))
  }

  #familyDeadline(startedAt: Date): number {
    return startedAt.getTime() + this.#deps.familyMaxAgeSeconds * 1000
  }

  async #pair(user: { id: number; role: Role }, familyId: string, refreshToken: string): Promise<TokenPair> {
    const access = await this.#deps.tokens.issueAccess(user, familyId)
    return {
      access_token: access.token,
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
    }
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    sessions: Sessions
  }
}
