import type { SQSClient } from '@aws-sdk/client-sqs'
import type { FinalizerConfig } from './config.ts'
import { createSqsClient, queueUrl } from '@flash/queue'
import {
  createServiceApp,
  dbPlugin,
  healthPlugin,
  type ServiceApp,
  serviceAppConfig,
} from '@flash/service-kit'
import { sql } from 'kysely'
import { InventoryInternalClient } from '@flash/api-client'
import { createFinalizerMetrics } from './metrics.ts'
import { consumersPlugin } from './workers/consumers.ts'

export interface AppOverrides {
  /** Wins over LOG_LEVEL (tests pass 'silent'). */
  logLevel?: string
  /** A client the caller owns (not destroyed on close). */
  sqsClient?: SQSClient
  /** Long-poll length of the orders consumers (default 5 s: a graceful stop waits for the poll in progress). */
  waitTimeSeconds?: number
  /** Pending orders older than this get their message re-sent (default 15 min). */
  staleAfterMs?: number
  staleSweepIntervalMs?: number
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
  const sqs =
    overrides.sqsClient ?? createSqsClient({ endpoint: config.SQS_ENDPOINT, region: config.AWS_REGION })
  const inventory = new InventoryInternalClient({
    url: config.INVENTORY_URL,
    serviceToken: config.SERVICE_TOKEN,
    timeoutMs: config.INVENTORY_TIMEOUT_MS,
  })
  app.addHook('onClose', async () => {
    await inventory.close()
    if (!overrides.sqsClient) sqs.destroy()
  })
  try {
    await app.register(dbPlugin, { url: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE })
    const queueCheck = (name: string) => () => queueUrl(sqs, name, { timeoutMs: 1_000 })
    await app.register(healthPlugin, {
      checks: {
        mysql: () => sql`select 1`.execute(app.db),
        inventory: () => inventory.ping(),
        orders_queue: queueCheck(config.ORDERS_QUEUE_NAME),
        dead_letter_queue: queueCheck(config.ORDERS_DLQ_NAME),
        consumers: async () => {
          if (!app.consumersRunning()) throw new Error('consumers stopped')
        },
      },
    })
    await app.register(consumersPlugin, {
      config,
      sqs,
      inventory,
      metrics: createFinalizerMetrics(app),
      waitTimeSeconds: overrides.waitTimeSeconds ?? 5,
      staleAfterMs: overrides.staleAfterMs ?? config.STALE_PENDING_SECONDS * 1000,
      staleSweepIntervalMs: overrides.staleSweepIntervalMs ?? config.STALE_SWEEP_INTERVAL_MS,
    })
    return app
  } catch (error) {
    await app.close().catch(() => {})
    throw error
  }
}
