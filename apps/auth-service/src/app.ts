import { availableParallelism } from 'node:os'
import type { AuthConfig } from './config.ts'
import {
  createServiceApp,
  dbPlugin,
  healthPlugin,
  redisPlugin,
  type ServiceApp,
  serviceAppConfig,
  tokenAuthPlugin,
  userThrottleOptions,
  userThrottlePlugin,
} from '@flash/service-kit'
import { seedAdmin } from './users/admin-seed.ts'
import { LoginGuard } from './sessions/login-guard.ts'
import { createPasswordHasher, type PasswordHasher } from './passwords/password.ts'
import { rateLimitPlugin } from './plugins/rate-limit.ts'
import { revocationPrunerPlugin } from './sessions/revocation-pruner.ts'
import { signingKeysPlugin } from './plugins/signing-keys.ts'
import { tokensPlugin } from './sessions/tokens.ts'
import { jwksRoute } from './routes/jwks.ts'
import { sessionRoutes } from './routes/sessions.ts'
import { userRoutes } from './routes/users.ts'
import { Sessions } from './sessions/sessions.ts'

declare module 'fastify' {
  interface FastifyInstance {
    passwords: PasswordHasher
    loginGuard: LoginGuard
  }
}

export interface AppOverrides {
  /** Wins over LOG_LEVEL (tests pass 'silent'). */
  logLevel?: string
  /** Largest accepted JSON body in bytes (default 16 KiB). */
  bodyLimit?: number
}

const DESCRIPTION =
  'Accounts and sessions: registration, login, refresh-token rotation with reuse detection, ' +
  'logout (revocation everywhere) and the public key set every service verifies access tokens with. ' +
  'register/login/refresh are rate limited per client IP (AUTH_RATE_LIMIT_MAX per ' +
  'AUTH_RATE_LIMIT_WINDOW_SECONDS, shared by all instances).'

/** Builds auth-service from validated config; tests call it with their own config and close it. */
export async function buildApp(config: AuthConfig, overrides: AppOverrides = {}): Promise<ServiceApp> {
  const app = await createServiceApp({
    service: 'auth-service',
    description: DESCRIPTION,
    ...serviceAppConfig(config),
    ...(overrides.logLevel ? { logLevel: overrides.logLevel } : {}),
    ...(overrides.bodyLimit ? { bodyLimit: overrides.bodyLimit } : {}),
  })
  try {
    await app.register(dbPlugin, { url: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE })
    await app.register(redisPlugin, { url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX })
    await app.register(signingKeysPlugin, { privateKeyPem: config.JWT_PRIVATE_KEY, keyId: config.JWT_KEY_ID })
    await app.register(tokenAuthPlugin, {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      keys: app.signingKeys.verifierKeys,
    })
    await app.register(userThrottlePlugin, userThrottleOptions(config, 'auth-service'))
    await app.register(revocationPrunerPlugin, { intervalMs: 60_000 })
    await app.register(tokensPlugin, {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    })
    await app.register(rateLimitPlugin, {
      max: config.AUTH_RATE_LIMIT_MAX,
      windowSeconds: config.AUTH_RATE_LIMIT_WINDOW_SECONDS,
      redisTimeoutMs: config.AUTH_RATE_LIMIT_REDIS_TIMEOUT_MS,
    })
    let lastGuardWarning = 0
    app.decorate(
      'loginGuard',
      new LoginGuard({
        redis: app.redis,
        maxFailures: config.LOGIN_MAX_FAILURES,
        windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
        lockSeconds: config.LOGIN_LOCK_SECONDS,
        timeoutMs: config.AUTH_RATE_LIMIT_REDIS_TIMEOUT_MS,
        onFallback: (error) => {
          // At most one line a second: during an outage every login lands here.
          if (Date.now() - lastGuardWarning < 1_000) return
          lastGuardWarning = Date.now()
          app.log.warn(
            { err: { message: error.message } },
            'login guard counted per instance: Redis unavailable',
          )
        },
      }),
    )
    app.decorate(
      'passwords',
      await createPasswordHasher({
        memoryKiB: config.PASSWORD_HASH_MEMORY_KIB,
        passes: config.PASSWORD_HASH_PASSES,
        concurrency: config.PASSWORD_HASH_CONCURRENCY ?? availableParallelism(),
        queueMax: config.PASSWORD_HASH_QUEUE_MAX,
        maxWaitMs: config.PASSWORD_HASH_MAX_WAIT_MS,
      }),
    )
    app.decorate(
      'sessions',
      new Sessions({
        db: app.db,
        tokens: app.tokens,
        revocations: app.revocations,
        refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
        familyMaxAgeSeconds: config.REFRESH_FAMILY_MAX_AGE_SECONDS,
      }),
    )

    // mysql, redis and revocations: each registered its own check.
    await app.register(healthPlugin)

    const { ADMIN_EMAIL, ADMIN_PASSWORD } = config
    if (ADMIN_EMAIL && ADMIN_PASSWORD) {
      app.addHook('onReady', async () => {
        const result = await seedAdmin(app.db, app.passwords, {
          email: ADMIN_EMAIL,
          password: ADMIN_PASSWORD,
        })
        app.log.info({ email: ADMIN_EMAIL, result }, 'admin account seeded')
      })
    } else if (ADMIN_EMAIL || ADMIN_PASSWORD) {
      app.log.warn('ADMIN_EMAIL and ADMIN_PASSWORD must both be set to seed an admin; skipped')
    }

    // One file per resource.
    for (const routes of [userRoutes, sessionRoutes, jwksRoute]) await app.register(routes)
    return app
  } catch (error) {
    // Whatever was opened (pool, Redis, subscriber) is closed so a failed build never leaks.
    await app.close().catch(() => {})
    throw error
  }
}
