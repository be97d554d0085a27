import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { JWTVerifyGetKey } from 'jose'
import { redisErrorLogger } from '../clients/redis.ts'
import { readinessOf } from '../readiness.ts'
import { authPlugin } from './auth-plugin.ts'
import { RevocationList } from './revocation-list.ts'
import { TokenVerifier } from './token-verifier.ts'

declare module 'fastify' {
  interface FastifyInstance {
    revocations: RevocationList
  }
}

export interface TokenAuthOptions {
  issuer: string
  audience: string
  /** auth-service's JWKS; fetched on first use and again on an unknown `kid`. */
  jwksUrl?: string
  /** Instead of a JWKS URL: auth-service passes its own key, tests their own key pair. */
  keys?: JWTVerifyGetKey
  /** Whether `/ready` waits for the revocation list (as `revocations`). Default true. */
  readinessCheck?: boolean
}

/**
 * Everything a service needs to accept Bearer access tokens, the same way in every service: local
 * signature check (TokenVerifier), the revocation list kept in memory — loaded from the shared MySQL
 * `revocations` table, kept fresh by Redis pub/sub (RevocationList, decorated as `app.revocations`) —
 * and `app.authenticate` / `app.requireAdmin` / `app.verifyBearer`. No call to auth-service per
 * request. Needs the `flash-redis` and `flash-db` plugins.
 */
export const tokenAuthPlugin = fp<TokenAuthOptions>(
  async (app: FastifyInstance, { issuer, audience, jwksUrl, keys, readinessCheck = true }) => {
    const revocations = new RevocationList({
      redis: app.redis,
      db: app.db,
      // Sampled: in a Redis outage the subscriber fails once per reconnect attempt, on every instance.
      onError: redisErrorLogger(app.log, 'revocations', { message: 'revocation list: background failure' }),
    })
    try {
      await revocations.start()
    } catch (error) {
      await revocations.stop()
      throw error
    }
    app.addHook('onClose', async () => {
      await revocations.stop()
    })
    app.decorate('revocations', revocations)
    // Not ready until the list is loaded and its subscriber connected: a token logged out elsewhere
    // would otherwise be accepted here.
    if (readinessCheck)
      readinessOf(app).add('revocations', async () => {
        if (!revocations.ready) throw new Error('revocation list not loaded')
      })
    const verifier = new TokenVerifier(
      keys ? { keys, issuer, audience } : { jwksUrl: jwksUrl!, issuer, audience },
    )
    await app.register(authPlugin, { verifier, revocations })
  },
  { name: 'flash-token-auth', dependencies: ['flash-redis', 'flash-db'] },
)
