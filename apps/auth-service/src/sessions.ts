import type { AuthUser, Role, TokenPair } from '@flash/contracts'
import { type Database, newUuid, transactionWithRetry } from '@flash/db'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely, Transaction } from 'kysely'
import type { RevocationList } from '@flash/service-kit'
import { invalidRefreshToken, refreshTokenReused, revocationUnavailable } from './errors.ts'
import { hashRefreshToken, type TokenIssuer } from './plugins/tokens.ts'
import {
  findByHashForUpdate,
  insertRefreshToken,
  markRotated,
  revokeFamily,
} from './repositories/refresh-tokens.ts'
import { findUserById } from './repositories/users.ts'

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
  log: FastifyBaseLogger
}

type RotationOutcome =
  | { kind: 'rotated'; user: { id: number; role: Role }; familyId: string; refresh: string }
  | { kind: 'reused'; familyId: string }
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
    await insertRefreshToken(db, {
      familyId,
      userId: user.id,
      tokenHash: refresh.hash,
      expiresAt: this.#refreshExpiry(),
    })
    return this.#pair(user, familyId, refresh.token)
  }

  /**
   * Exchanges a live refresh token for a new pair; the presented one is dead afterwards. A token
   * that was already rotated is a stolen or replayed one: the whole family dies, access tokens too.
   */
  async rotate(presented: string): Promise<TokenPair> {
    const now = new Date()
    const outcome = await transactionWithRetry(this.#deps.db, async (trx): Promise<RotationOutcome> => {
      const row = await findByHashForUpdate(trx, hashRefreshToken(presented))
      if (!row || row.revoked_at) return { kind: 'invalid' }
      if (row.rotated_at) {
        await revokeFamily(trx, row.family_id, now)
        return { kind: 'reused', familyId: row.family_id }
      }
      if (row.expires_at.getTime() <= now.getTime()) return { kind: 'invalid' }
      const user = await findUserById(trx, Number(row.user_id))
      if (!user) return { kind: 'invalid' }
      await markRotated(trx, Number(row.id), now)
      const refresh = this.#deps.tokens.mintRefresh()
      await insertRefreshToken(trx, {
        familyId: row.family_id,
        userId: Number(user.id),
        tokenHash: refresh.hash,
        expiresAt: this.#refreshExpiry(),
      })
      return {
        kind: 'rotated',
        user: { id: Number(user.id), role: user.role },
        familyId: row.family_id,
        refresh: refresh.token,
      }
    })
    if (outcome.kind === 'reused') {
      this.#deps.log.warn({ family_id: outcome.familyId }, 'refresh token reuse: session family revoked')
      try {
        await this.#revokeFamilyAccess(outcome.familyId)
      } catch (error) {
        // The refresh tokens are dead already; the family's access tokens expire within minutes.
        this.#deps.log.error(
          { err: error, family_id: outcome.familyId },
          'could not publish family revocation',
        )
      }
      throw refreshTokenReused()
    }
    if (outcome.kind === 'invalid') throw invalidRefreshToken()
    return this.#pair(outcome.user, outcome.familyId, outcome.refresh)
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

  async #revokeFamilyAccess(familyId: string): Promise<void> {
    await this.#deps.revocations.revoke([{ kind: 'sid', id: familyId, until: this.#familyRevocationUntil() }])
  }

  #familyRevocationUntil(): number {
    return Math.floor(Date.now() / 1000) + MAX_ACCESS_TTL_SECONDS + 1
  }

  #refreshExpiry(): Date {
    return new Date(Date.now() + this.#deps.refreshTtlSeconds * 1000)
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
