import type { AddressInfo } from 'node:net'
import { GetQueueAttributesCommand, type SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs'
import { loadConfig } from '@flash/config'
import type { OrderMessage } from '@flash/contracts'
import { type Database, newUuid } from '@flash/db'
import { buildApp as buildInventory, InventoryEnv } from '@flash/inventory-service'
import { createSqsClient, ensureQueues, type SqsClient, startSqsEmulator } from '@flash/queue'
import type { ServiceApp } from '@flash/service-kit'
import {
  createTestDatabase,
  createTestRedisPrefix,
  TEST_REDIS_URL,
  type Teardown,
  uniqueName,
} from '@flash/test-kit'
import type { Kysely } from 'kysely'
import { type AppOverrides, buildApp } from '../src/app.ts'
import { type FinalizerConfig, FinalizerEnv, OrdersQueueEnv, ordersQueueSetup } from '../src/config.ts'
import { insertPendingOrder } from './fixtures.ts'

export const SERVICE_TOKEN = 'test-service-token-0123456789'

/** One test file's world, all real: database, Redis prefix, SQS emulator + queues, inventory-service. */
export interface World {
  db: Kysely<Database>
  sqs: SqsClient
  queueUrl: string
  dlqUrl: string
  names: { queueName: string; dlqName: string }
  env: Record<string, string>
  inventory: ServiceApp
  inventoryEnv: Record<string, string>
  config(overrides?: Record<string, string>): FinalizerConfig
}

export async function listen(app: ServiceApp, port = 0): Promise<string> {
  await app.listen({ host: '127.0.0.1', port })
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

export async function startInventory(t: Teardown, world: Pick<World, 'inventoryEnv'>, port = 0) {
  const app = await buildInventory(loadConfig(InventoryEnv, world.inventoryEnv))
  t.teardown(() => app.close())
  return { app, url: await listen(app, port) }
}

export async function createWorld(t: Teardown, label: string, maxAttempts = 3): Promise<World> {
  const { url, db } = await createTestDatabase(t, label)
  const prefix = createTestRedisPrefix(t, label)
  const emulator = await startSqsEmulator({ port: 0 })
  t.teardown(() => emulator.stop())
  const sqs = createSqsClient({ endpoint: emulator.endpoint, region: 'us-east-1' })
  t.teardown(() => sqs.destroy())
  const names = { queueName: uniqueName(`${label}-q`), dlqName: uniqueName(`${label}-dlq`) }
  const queueEnv = {
    ORDERS_QUEUE_NAME: names.queueName,
    ORDERS_DLQ_NAME: names.dlqName,
    MAX_ATTEMPTS: String(maxAttempts),
    VISIBILITY_TIMEOUT_SECONDS: '5',
  }
  // Created from the variables the finalizer reads, as the dev stack does.
  const { queueUrl, dlqUrl } = await ensureQueues(sqs, ordersQueueSetup(loadConfig(OrdersQueueEnv, queueEnv)))
  const base = { DATABASE_URL: url, DB_POOL_SIZE: '5', LOG_LEVEL: 'silent', SERVICE_TOKEN }
  const inventoryEnv = {
    ...base,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    PRODUCT_CACHE_MS: '0',
    // A loaded CI host lags every loop and delays Redis replies: neither is the overload or the stall
    // these tests are about (shedding and Redis timeouts have tests of their own).
    SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    REDIS_COMMAND_TIMEOUT_MS: '5000',
  }
  const { app: inventory, url: inventoryUrl } = await startInventory(t, { inventoryEnv })
  const env: Record<string, string> = {
    ...base,
    INVENTORY_URL: inventoryUrl,
    INVENTORY_TIMEOUT_MS: '1000',
    SQS_ENDPOINT: emulator.endpoint,
    ...queueEnv,
    RETRY_BASE_SECONDS: '0',
    DLQ_POLL_MS: '100',
    SHUTDOWN_GRACE_MS: '3000',
  }
  return {
    db,
    sqs,
    queueUrl,
    dlqUrl,
    names,
    env,
    inventory,
    inventoryEnv,
    config: (overrides = {}) => loadConfig(FinalizerEnv, { ...env, ...overrides }),
  }
}

/** Started (consumers polling) and closed with the test. Short long-polls so close() is quick. */
export async function startFinalizer(t: Teardown, config: FinalizerConfig, overrides: AppOverrides = {}) {
  const app = await buildApp(config, { logLevel: 'silent', waitTimeSeconds: 1, ...overrides })
  t.teardown(() => app.close())
  await app.ready()
  return app
}

/** Reserves through inventory's batch endpoint, as order-service does: the call, and each item's answer. */
export async function reserveInInventory(
  world: World,
  items: { reservation_id: string; product_id: number; user_id: number; quantity: number }[],
) {
  const res = await world.inventory.inject({
    method: 'POST',
    url: '/internal/reservations/batch',
    headers: { authorization: `Bearer ${SERVICE_TOKEN}`, 'content-type': 'application/json' },
    payload: { items },
  })
  return {
    statusCode: res.statusCode,
    body: res.body,
    // biome-ignore lint/suspicious/noExplicitAny: each test asserts the item's shape
    results: (): any[] => (res.statusCode === 200 ? res.json().results : []),
  }
}

/** What order-service does for an accepted order: reserve in inventory, insert the pending row. */
export async function acceptOrder(
  world: World,
  productId: number,
  { userId = 1, quantity = 1, send = true } = {},
): Promise<OrderMessage> {
  const reservationId = newUuid()
  const res = await reserveInInventory(world, [
    { reservation_id: reservationId, product_id: productId, user_id: userId, quantity },
  ])
  if (res.statusCode !== 200 || !res.results()[0]?.ok)
    throw new Error(`reserve failed: ${res.statusCode} ${res.body}`)
  const message = await insertPendingOrder(world.db, productId, { quantity, userId, reservationId })
  if (send) await sendMessage(world, JSON.stringify(message))
  return message
}

export async function sendMessage(world: Pick<World, 'sqs' | 'queueUrl'>, body: string): Promise<void> {
  await world.sqs.send(new SendMessageCommand({ QueueUrl: world.queueUrl, MessageBody: body }))
}

/** Units inventory-service says are available now. */
export async function available(world: World, productId: number): Promise<number> {
  const res = await world.inventory.inject({ method: 'GET', url: `/api/products/${productId}` })
  return res.json().stock
}

/** Visible + in-flight messages of a queue. */
export async function depth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  )
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  )
}

export { eventually, metricValue as metric } from '@flash/test-kit'
