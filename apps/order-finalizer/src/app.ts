import type { SQSClient } from '@aws-sdk/client-sqs'
import {
  createServiceApp,
  dbPlugin,
  healthPlugin,
  inventoryClientPlugin,
  type ServiceApp,
  serviceAppConfig,
} from '@flash/service-kit'
import type { FinalizerConfig } from './config.ts'
import { finalizerMetricsPlugin } from './plugins/metrics.ts'
import { sqsPlugin } from './plugins/sqs.ts'
import { consumersPlugin } from './workers/consumers.ts'

export interface AppOverrides {
  /** Wins over LOG_LEVEL (tests pass 'silent'). */
  logLevel?: string
  /** A client the caller owns (not destroyed on close). */
  sqsClient?: SQSClient
  /** Long-poll length of the orders consumers (default 5 s: a graceful stop waits for the poll in progress). */
  waitTimeSeconds?: number
  /** Pending orders older than this get their message re-sent (default STALE_PENDING_SECONDS). */
  staleAfterMs?: number
  /** How often the stale-pending sweep runs (default STALE_SWEEP_INTERVAL_MS). */
  staleSweepIntervalMs?: number
  /** How often the payment expiry pass runs (default EXPIRY_INTERVAL_MS). */
  expiryIntervalMs?: number
}

const DESCRIPTION =
  'Background worker: finalizes accepted orders from the SQS orders queue (row-locked stock decrement, ' +
  'then commit/release of the reservation) and handles the dead-letter queue. HTTP serves only ' +
  '/health, /ready and /metrics.'

/**
 * Builds the finalizer: the consumers start when the app is ready (`listen` or `ready()`) and stop,
 * finishing their in-flight batch, when it closes.
 */
export async function buildApp(config: FinalizerConfig, overrides: AppOverrides = {}): Promise<ServiceApp> {
  const app = await createServiceApp({
    service: 'order-finalizer',
    description: DESCRIPTION,
    ...serviceAppConfig(config),
    logLevel: overrides.logLevel ?? config.LOG_LEVEL,
  })
  try {
    await app.register(finalizerMetricsPlugin)
    await app.register(dbPlugin, { url: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE })
    await app.register(inventoryClientPlugin, {
      url: config.INVENTORY_URL,
      serviceToken: config.SERVICE_TOKEN,
      timeoutMs: config.INVENTORY_TIMEOUT_MS,
    })
    await app.register(sqsPlugin, {
      endpoint: config.SQS_ENDPOINT,
      region: config.AWS_REGION,
      queueName: config.ORDERS_QUEUE_NAME,
      dlqName: config.ORDERS_DLQ_NAME,
      maxAttempts: config.MAX_ATTEMPTS,
      ...(overrides.sqsClient ? { client: overrides.sqsClient } : {}),
    })
    await app.register(consumersPlugin, {
      config,
      waitTimeSeconds: overrides.waitTimeSeconds ?? 5,
      staleAfterMs: overrides.staleAfterMs ?? config.STALE_PENDING_SECONDS * 1000,
      staleSweepIntervalMs: overrides.staleSweepIntervalMs ?? config.STALE_SWEEP_INTERVAL_MS,
      expiryIntervalMs: overrides.expiryIntervalMs ?? config.EXPIRY_INTERVAL_MS,
    })
    // mysql, inventory, orders_queue, dead_letter_queue, consumers: each plugin registered its own check.
    await app.register(healthPlugin)
    return app
  } catch (error) {
    await app.close().catch(() => {})
    throw error
  }
}
