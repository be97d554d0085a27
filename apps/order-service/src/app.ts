import { toOrderMessage } from '@flash/contracts'
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
import { idempotencyPlugin } from './plugins/idempotency.ts'
import { orderMetricsPlugin } from './plugins/order-metrics.ts'
import { orderQueuePlugin } from './plugins/order-queue.ts'
import { soldOutPlugin } from './plugins/sold-out.ts'
import { createOrderRoute } from './routes/create-order.ts'
import { getOrderRoute } from './routes/get-order.ts'
import { OrderInserter } from './repositories/order-inserter.ts'
import { ReserveBatcher } from './reserve-batcher.ts'
import { listOrdersRoute } from './routes/list-orders.ts'
import { UnconfirmedOrders } from './unconfirmed-orders.ts'
import { UnresolvedWrites } from './unresolved-writes.ts'
import { UnsentOrders } from './unsent-orders.ts'

declare module 'fastify' {
  interface FastifyInstance {
    orderInserter: OrderInserter
    reservations: ReserveBatcher
    unsentOrders: UnsentOrders
    unresolvedWrites: UnresolvedWrites
    unconfirmedOrders: UnconfirmedOrders
  }
}

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
  'completed or failed.'

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
    app.decorate('orderInserter', new OrderInserter(app.db, { timeoutMs: config.ORDER_WRITE_TIMEOUT_MS }))
    await app.register(redisPlugin, {
      url: config.REDIS_URL,
      keyPrefix: config.REDIS_KEY_PREFIX,
      commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    })
    app.decorate('unconfirmedOrders', new UnconfirmedOrders(app.redis, config.IDEMPOTENCY_TTL_SECONDS))
    await app.register(tokenAuthPlugin, {
      jwksUrl: config.AUTH_JWKS_URL,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ...(overrides.tokenKeys ? { keys: overrides.tokenKeys } : {}),
      // Unchanged: order-service's /ready never waited for the revocation list (it is loaded before
      // the app is built, and its Redis is asked as `redis`).
      readinessCheck: false,
    })
    await app.register(userThrottlePlugin, userThrottleOptions(config, 'order-service'))
    await app.register(inventoryClientPlugin, {
      url: config.INVENTORY_URL,
      serviceToken: config.SERVICE_TOKEN,
      timeoutMs: config.INVENTORY_TIMEOUT_MS,
      connections: config.INVENTORY_CONNECTIONS,
    })
    app.decorate('reservations', new ReserveBatcher(app.inventory))
    await app.register(orderQueuePlugin, {
      client:
        overrides.sqsClient ?? createSqsClient({ endpoint: config.SQS_ENDPOINT, region: config.AWS_REGION }),
      ownsClient: !overrides.sqsClient,
      endpoint: config.SQS_ENDPOINT,
      queueName: config.ORDERS_QUEUE_NAME,
      windowMs: config.SQS_BATCH_WINDOW_MS,
      timeoutMs: overrides.sqsTimeoutMs ?? 3_000,
    })
    const unsent = new UnsentOrders({
      send: (message, requestId) => app.orderQueue.send(message, requestId),
      log: app.log,
      onResent: () => app.orderMetrics.outcomes.inc({ outcome: 'resent' }),
    })
    app.decorate('unsentOrders', unsent)
    const unresolved = new UnresolvedWrites({
      db: app.db,
      send: (row) => unsent.keep(toOrderMessage(row, row.request_id ?? ''), row.request_id ?? ''),
      release: (row) =>
        app.inventory
          .settle(
            [
              {
                reservation_id: row.reservation_id,
                product_id: Number(row.product_id),
                user_id: Number(row.user_id),
                quantity: Number(row.quantity),
                outcome: 'release',
              },
            ],
            row.request_id ?? '',
          )
          .then(() => {}),
      log: app.log,
    })
    app.decorate('unresolvedWrites', unresolved)
    app.addHook('preClose', async () => {
      unsent.close()
      unresolved.close()
    })
    await app.register(soldOutPlugin, { ttlMs: config.SOLD_OUT_CACHE_MS })
    await app.register(idempotencyPlugin, {
      ttlSeconds: config.IDEMPOTENCY_TTL_SECONDS,
      leaseMs: overrides.idempotencyLeaseMs ?? config.IDEMPOTENCY_LEASE_MS,
    })
    // mysql, redis, inventory and sqs: each client plugin registered its own check.
    await app.register(healthPlugin)
    await app.register(createOrderRoute, { writeMs: config.ORDER_WRITE_TIMEOUT_MS })
    for (const route of [getOrderRoute, listOrdersRoute]) await app.register(route)
    return app
  } catch (error) {
    // Whatever was opened (pool, Redis, subscribers) is closed so a failed build never leaks.
    await app.close().catch(() => {})
    throw error
  }
}
