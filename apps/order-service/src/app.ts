import type { SQSClient } from '@aws-sdk/client-sqs'
import type { OrderConfig } from './config.ts'
import { createSqsClient } from '@flash/queue'
import {
  createServiceApp,
  dbPlugin,
  healthPlugin,
  inventoryClientPlugin,
  redisPlugin,
  type ServiceApp,
  serviceAppConfig,
  tokenAuthPlugin,
  userThrottleOptions,
  userThrottlePlugin,
} from '@flash/service-kit'
import type { JWTVerifyGetKey } from 'jose'
import { intakePlugin } from './intake/plugin.ts'
import { orderMetricsPlugin } from './plugins/metrics.ts'
import { orderQueuePlugin } from './plugins/order-queue.ts'
import { soldOutPlugin } from './intake/sold-out.ts'
import { LocalPaymentProvider } from './payments/local-provider.ts'
import { cancelOrderRoute } from './routes/cancel-order.ts'
import { orderRoutes } from './routes/orders.ts'
import { paymentRoutes } from './routes/payments.ts'

export interface AppOverrides {
  /** Wins over LOG_LEVEL (tests pass 'silent'). */
  logLevel?: string
  /** Verify tokens with these keys instead of fetching AUTH_JWKS_URL. */
  tokenKeys?: JWTVerifyGetKey
  /** A client the caller owns (not destroyed on close). */
  sqsClient?: SQSClient
  /** Deadline of one SendMessageBatch call (default 3 s). */
  sqsTimeoutMs?: number
  /** Wins over IDEMPOTENCY_LEASE_MS. */
  idempotencyLeaseMs?: number
}

const DESCRIPTION =
  'Order intake and status. POST /api/orders reserves stock in inventory-service, records the order as ' +
  'pending and queues it for the order-finalizer, answering 202 at once; GET the order to follow it to ' +
  "awaiting_payment (then paid, expired or cancelled), completed or failed. The payment provider's signed " +
  'webhook marks orders paid.'

/** Builds order-service from validated config; tests call it with their own config and close it. */
export async function buildApp(config: OrderConfig, overrides: AppOverrides = {}): Promise<ServiceApp> {
  const app = await createServiceApp({
    service: 'order-service',
    description: DESCRIPTION,
    ...serviceAppConfig(config),
    logLevel: overrides.logLevel ?? config.LOG_LEVEL,
  })
  try {
    await app.register(orderMetricsPlugin)
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
      // /ready does not wait for the revocation list: it is loaded before the app is built, and its
      // Redis is checked as `redis`.
      readinessCheck: false,
    })
    await app.register(userThrottlePlugin, userThrottleOptions(config, 'order-service'))
    await app.register(inventoryClientPlugin, {
      url: config.INVENTORY_URL,
      serviceToken: config.SERVICE_TOKEN,
      timeoutMs: config.INVENTORY_TIMEOUT_MS,
      connections: config.INVENTORY_CONNECTIONS,
    })
    await app.register(orderQueuePlugin, {
      client:
        overrides.sqsClient ?? createSqsClient({ endpoint: config.SQS_ENDPOINT, region: config.AWS_REGION }),
      ownsClient: !overrides.sqsClient,
      endpoint: config.SQS_ENDPOINT,
      queueName: config.ORDERS_QUEUE_NAME,
      windowMs: config.SQS_BATCH_WINDOW_MS,
      timeoutMs: overrides.sqsTimeoutMs ?? 3_000,
    })
    await app.register(soldOutPlugin, { ttlMs: config.SOLD_OUT_CACHE_MS })
    await app.register(intakePlugin, {
      writeMs: config.ORDER_WRITE_TIMEOUT_MS,
      idempotencyTtlSeconds: config.IDEMPOTENCY_TTL_SECONDS,
      idempotencyLeaseMs: overrides.idempotencyLeaseMs ?? config.IDEMPOTENCY_LEASE_MS,
    })
    // mysql, redis, inventory and sqs: each client plugin registered its own check.
    await app.register(healthPlugin)
    await app.register(orderRoutes)
    await app.register(cancelOrderRoute)
    await app.register(paymentRoutes, {
      provider: config.PAYMENT_WEBHOOK_SECRET
        ? new LocalPaymentProvider(config.PAYMENT_WEBHOOK_SECRET, config.PAYMENT_WEBHOOK_TOLERANCE_SECONDS)
        : undefined,
    })
    return app
  } catch (error) {
    // Whatever was opened (pool, Redis, subscribers) is closed so a failed build never leaks.
    await app.close().catch(() => {})
    throw error
  }
}
