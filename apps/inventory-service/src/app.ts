import type { InventoryConfig } from './config.ts'
import {
  createServiceApp,
  serviceAppConfig,
  dbPlugin,
  healthPlugin,
  redisPlugin,
  type ServiceApp,
  tokenAuthPlugin,
  userThrottleOptions,
  userThrottlePlugin,
} from '@flash/service-kit'
import type { JWTVerifyGetKey } from 'jose'
import { eventsPlugin } from './plugins/events.ts'
import { inventoryMetricsPlugin } from './plugins/metrics.ts'
import { stockPlugin } from './plugins/stock.ts'
import { reconcilerPlugin } from './plugins/reconciler.ts'
import { sweeperPlugin } from './plugins/sweeper.ts'
import { routes } from './routes/index.ts'

export interface AppOverrides {
  /** Wins over LOG_LEVEL (tests pass 'silent'). */
  logLevel?: string
  /** Verify tokens with these keys instead of fetching AUTH_JWKS_URL. */
  tokenKeys?: JWTVerifyGetKey
  /** false: no periodic sweeper (tests call `app.sweeper.runOnce`). Default true. */
  sweeper?: boolean
}

const DESCRIPTION =
  'Products and all stock state. Stock lives in Redis (one Lua round trip per reserve, commit or ' +
  'release, idempotent by reservation id) and is rebuilt from MySQL as stock − pending when missing. ' +
  'Reservations not settled within RESERVATION_TTL_SECONDS are swept (unless their order is pending). ' +
  'The `internal` routes are for order-service and the finalizer only: the gateway never routes them ' +
  'and they require the service credential.'

/** Builds inventory-service from validated config; tests call it with their own config and close it. */
export async function buildApp(config: InventoryConfig, overrides: AppOverrides = {}): Promise<ServiceApp> {
  const app = await createServiceApp({
    service: 'inventory-service',
    description: DESCRIPTION,
    ...serviceAppConfig(config),
    ...(overrides.logLevel ? { logLevel: overrides.logLevel } : {}),
  })
  const reservationTtlMs = config.RESERVATION_TTL_SECONDS * 1000
  try {
    await app.register(inventoryMetricsPlugin)
    await app.register(dbPlugin, { url: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE })
    await app.register(redisPlugin, {
      url: config.REDIS_URL,
      keyPrefix: config.REDIS_KEY_PREFIX,
      commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    })
    await app.register(tokenAuthPlugin, {
      jwksUrl: config.AUTH_JWKS_URL,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ...(overrides.tokenKeys ? { keys: overrides.tokenKeys } : {}),
    })
    await app.register(userThrottlePlugin, userThrottleOptions(config, 'inventory-service'))
    await app.register(eventsPlugin)
    await app.register(stockPlugin, {
      productCacheMs: config.PRODUCT_CACHE_MS,
      warmSettleMs: config.WARM_SETTLE_MS,
    })
    await app.register(sweeperPlugin, {
      intervalMs: config.SWEEP_INTERVAL_MS,
      reservationTtlMs,
      fenceGraceMs: config.FENCE_GRACE_MS,
      autoStart: overrides.sweeper ?? true,
    })
    await app.register(reconcilerPlugin, {
      intervalMs: overrides.sweeper === false ? 0 : config.RECONCILE_INTERVAL_MS,
    })
    // mysql, redis and revocations: each registered its own check.
    await app.register(healthPlugin)
    await app.register(routes, { serviceToken: config.SERVICE_TOKEN, reservationTtlMs })
    return app
  } catch (error) {
    // Whatever was opened (pool, Redis, subscriber) is closed so a failed build never leaks.
    await app.close().catch(() => {})
    throw error
  }
}
