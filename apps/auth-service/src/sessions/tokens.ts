import type { Role } from '@flash/contracts'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { SignJWT } from 'jose'

export interface AccessToken {
  token: string
  jti: string
  /** Seconds until it expires. */
  expiresIn: number
}

export interface RefreshToken {
  /** Handed to the client once, never stored. */
  token: string
  /** SHA-256 hex: what the database keeps. */
  hash: string
}

/** SHA-256 is enough here: the token is 256 random bits, not a guessable password. */
export const hashRefreshToken = (token: string) => createHash('sha256').update(token).digest('hex')

export interface TokenIssuerOptions {
  issuer: string
  audience: string
  accessTtlSeconds: number
}

export class TokenIssuer {
  readonly #options: TokenIssuerOptions
  readonly #app: FastifyInstance

  constructor(app: FastifyInstance, options: TokenIssuerOptions) {
    this.#app = app
    this.#options = options
  }

  /** EdDSA access token: sub, role, jti, sid (login family), iss, aud, iat, exp. */
  async issueAccess(user: { id: number; role: Role }, sid: string): Promise<AccessToken> {
    const { kid, privateKey } = this.#app.signingKeys
    const jti = randomUUID()
    const now = Math.floor(Date.now() / 1000)
    const token = await new SignJWT({ role: user.role, sid })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
      .setSubject(String(user.id))
      .setJti(jti)
      .setIssuer(this.#options.issuer)
      .setAudience(this.#options.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + this.#options.accessTtlSeconds)
      .sign(privateKey)
    return { token, jti, expiresIn: this.#options.accessTtlSeconds }
  }

  /** Opaque refresh token: 32 random bytes, base64url. */
  mintRefresh(): RefreshToken {
    const token = randomBytes(32).toString('base64url')
    return { token, hash: hashRefreshToken(token) }
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    tokens: TokenIssuer
  }
}

export const tokensPlugin = fp<TokenIssuerOptions>(
  async (app: FastifyInstance, options) => {
    app.decorate('tokens', new TokenIssuer(app, options))
  },
  { name: 'auth-tokens', dependencies: ['auth-signing-keys'] },
)
