import type { AccessClaims, AuthUser } from '@flash/contracts'
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose'

export interface TokenVerifierOptions {
  /** Where auth-service publishes its public keys; fetched lazily, refetched on an unknown `kid`. */
  jwksUrl?: string
  /** Or a key getter (auth-service passes its own key set; tests may pass one). */
  keys?: JWTVerifyGetKey
  issuer: string
  audience: string
  /** Verified tokens remembered (until they expire) so a hot caller costs one Map lookup. */
  cacheSize?: number
}

export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidTokenError'
  }
}

/**
 * Verifies access tokens locally with auth-service's public key: no network call per request.
 * Only EdDSA is accepted, which is what rejects `alg: none` and HMAC tokens signed with a guessed
 * secret. Signature checks cost ~50 µs, so verified tokens are cached by their exact text.
 */
export class TokenVerifier {
  readonly #keys: JWTVerifyGetKey
  readonly #issuer: string
  readonly #audience: string
  readonly #cacheSize: number
  readonly #cache = new Map<string, AuthUser>()

  constructor(options: TokenVerifierOptions) {
    if (!options.keys && !options.jwksUrl) throw new Error('TokenVerifier needs jwksUrl or keys')
    this.#keys =
      options.keys ??
      createRemoteJWKSet(new URL(options.jwksUrl!), { cooldownDuration: 5_000, cacheMaxAge: 600_000 })
    this.#issuer = options.issuer
    this.#audience = options.audience
    this.#cacheSize = options.cacheSize ?? 50_000
  }

  /** The user of a token verified before and not expired yet, without a promise (the hot path). */
  cached(token: string): AuthUser | undefined {
    const cached = this.#cache.get(token)
    if (cached === undefined) return undefined
    if (cached.exp > Date.now() / 1000) return cached
    this.#cache.delete(token)
    return undefined
  }

  async verify(token: string): Promise<AuthUser> {
    const cached = this.cached(token)
    if (cached) return cached
    let payload: Partial<AccessClaims>
    try {
      ;({ payload } = (await jwtVerify(token, this.#keys, {
        algorithms: ['EdDSA'],
        issuer: this.#issuer,
        audience: this.#audience,
        requiredClaims: ['sub', 'jti', 'exp', 'iat'],
      })) as unknown as { payload: Partial<AccessClaims> })
    } catch (error) {
      throw new InvalidTokenError((error as Error).message)
    }
    const id = Number(payload.sub)
    if (!Number.isSafeInteger(id) || id < 1) throw new InvalidTokenError('sub is not a user id')
    if (payload.role !== 'admin' && payload.role !== 'customer') throw new InvalidTokenError('unknown role')
    if (typeof payload.sid !== 'string') throw new InvalidTokenError('missing sid')
    const user: AuthUser = { id, role: payload.role, jti: payload.jti!, sid: payload.sid, exp: payload.exp! }
    if (this.#cache.size >= this.#cacheSize) {
      // Maps iterate in insertion order: dropping the first entry evicts the oldest token.
      const oldest = this.#cache.keys().next().value
      if (oldest !== undefined) this.#cache.delete(oldest)
    }
    this.#cache.set(token, user)
    return user
  }
}
