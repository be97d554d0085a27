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
import { stockPlugin } from './warm-up/plugin.ts'
import { reconcilerPlugin } from './repair/reconciler-plugin.ts'
import { sweeperPlugin } from './repair/sweeper-plugin.ts'
import { productRoutes } from './routes/products.ts'
import { reservationRoutes } from './routes/reservations.ts'
import { stockStateRoutes } from './routes/stock-state.ts'
import { prewarmPlugin } from './warm-up/prewarm-plugin.ts'

export interface AppOverrides {
  /** Wins over LOG_LEVEL (tests pass 'silent'). */
  logLevel?: string
  /** Verify tokens with these keys instead of fetching AUTH_JWKS_URL. */
  tokenKeys?: JWTVerifyGetKey
  /** false: no periodic sweeper (tests call `app.sweeper.runOnce`). Default true. */
  sweeper?: boolean
  /** false: no periodic reconciler (tests call `app.reconciler.runOnce`). Default true. */
  reconciler?: boolean
  /** false: no periodic sale pre-warm (tests call `app.prewarm.runOnce`). Default true. */
  prewarm?: boolean
}

/** How often the sale pre-warm looks for openings within SALE_PREWARM_SECONDS. */
const PREWARM_INTERVAL_MS = 1_000

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
      intervalMs: overrides.reconciler === false ? 0 : config.RECONCILE_INTERVAL_MS,
    })
    await app.register(prewarmPlugin, {
      aheadSeconds: config.SALE_PREWARM_SECONDS,
      intervalMs: overrides.prewarm === false ? 0 : PREWARM_INTERVAL_MS,
    })
    // mysql, redis and revocations: each registered its own check.
    await app.register(healthPlugin)
    // One file per resource; a lost MySQL connection is answered 503 by the kit's central handler.
    await app.register(productRoutes)
    await app.register(reservationRoutes, { serviceToken: config.SERVICE_TOKEN, reservationTtlMs })
    await app.register(stockStateRoutes, { serviceToken: config.SERVICE_TOKEN })
    return app
  } catch (error) {
    // Whatever was opened (pool, Redis, subscriber) is closed so a failed build never leaks.
    await app.close().catch(() => {})
    throw error
  }
}
