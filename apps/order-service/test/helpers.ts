import type { AddressInfo } from 'node:net'
import type { SQSClient } from '@aws-sdk/client-sqs'
import { AuthEnv, buildApp as buildAuth } from '@flash/auth-service'
import { loadConfig } from '@flash/config'
import type { Database } from '@flash/db'
import { buildApp as buildInventory, InventoryEnv } from '@flash/inventory-service'
import { createSqsClient, ensureQueues, startSqsEmulator, type SqsEmulator } from '@flash/queue'
import { generateSigningKeyPair, type ServiceApp } from '@flash/service-kit'
import { createTestDatabase, createTestRedisPrefix, TEST_REDIS_URL, uniqueName } from '@flash/test-kit'
import type { Kysely } from 'kysely'
import { type AppOverrides, buildApp } from '../src/app.ts'
import { type OrderConfig, OrderEnv } from '../src/config.ts'
import type { Teardown } from '@flash/test-kit'

export const SERVICE_TOKEN = 'test-service-token-0123456789'

/**
 * One test file's whole world, all real: its own database, Redis prefix, SQS emulator and queues,
 * auth-service (tokens, admin) and inventory-service listening on loopback ports.
 */
export interface World {
  db: Kysely<Database>
  sqs: SQSClient
  emulator: SqsEmulator
  queueUrl: string
  dlqUrl: string
  env: Record<string, string>
  inventory: ServiceApp
  auth: ServiceApp
  config(overrides?: Record<string, string>): OrderConfig
}

async function listen(app: ServiceApp): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

export async function createWorld(
  t: Teardown,
  label: string,
  inventoryEnv: Record<string, string> = {},
): Promise<World> {
  const { url, db } = await createTestDatabase(t, label)
  const prefix = createTestRedisPrefix(t, label)
  const emulator = await startSqsEmulator({ port: 0 })
  t.teardown(() => emulator.stop())
  const sqs = createSqsClient({ endpoint: emulator.endpoint, region: 'us-east-1' })
  t.teardown(() => sqs.destroy())
  const names = { queueName: uniqueName(`${label}-q`), dlqName: uniqueName(`${label}-dlq`) }
  const { queueUrl, dlqUrl } = await ensureQueues(sqs, names)

  const keys = generateSigningKeyPair()
  const base = {
    DATABASE_URL: url,
    DB_POOL_SIZE: '5',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    // Tests drive many requests from the services' own event loop: that lag is not overload to shed.
    SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    // A Redis reply delayed by a loaded CI host is not the stall these tests are about; the tests
    // that stall Redis through a proxy set their own timeout.
    REDIS_COMMAND_TIMEOUT_MS: '5000',
    // The tests order and poll many times per buyer; the per-user limit has its own tests.
    USER_RATE_LIMIT_MAX: '100000',
  }
  const auth = await buildAuth(
    loadConfig(AuthEnv, {
      ...base,
      JWT_PRIVATE_KEY: keys.privateKeyPem,
      PASSWORD_HASH_MEMORY_KIB: '1024',
      PASSWORD_HASH_PASSES: '1',
      AUTH_RATE_LIMIT_MAX: '100000',
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD: 'admin-password-1',
    }),
    { logLevel: 'silent' },
  )
  t.teardown(() => auth.close())
  const authUrl = await listen(auth)
  const jwks = `${authUrl}/.well-known/jwks.json`
  const inventory = await buildInventory(
    loadConfig(InventoryEnv, {
      ...base,
      AUTH_JWKS_URL: jwks,
      SERVICE_TOKEN,
      PRODUCT_CACHE_MS: '0',
      ...inventoryEnv,
    }),
  )
  t.teardown(() => inventory.close())
  const inventoryUrl = await listen(inventory)

  const env: Record<string, string> = {
    ...base,
    AUTH_JWKS_URL: jwks,
    SERVICE_TOKEN,
    INVENTORY_URL: inventoryUrl,
    INVENTORY_TIMEOUT_MS: '1000',
    SQS_ENDPOINT: emulator.endpoint,
    ORDERS_QUEUE_NAME: names.queueName,
    ORDERS_DLQ_NAME: names.dlqName,
    SQS_BATCH_WINDOW_MS: '1',
  }
  return {
    db,
    sqs,
    emulator,
    queueUrl,
    dlqUrl,
    env,
    inventory,
    auth,
    config: (overrides = {}) => loadConfig(OrderEnv, { ...env, ...overrides }),
  }
}

export async function startApp(t: Teardown, config: OrderConfig, overrides: AppOverrides = {}) {
  const app = await buildApp(config, { logLevel: 'silent', ...overrides })
  t.teardown(() => app.close())
  await app.ready()
  return app
}

let seq = 0
export interface Buyer {
  id: number
  token: string
}

/** A registered customer with a fresh access token, from the real auth-service. */
export async function newBuyer(world: World): Promise<Buyer> {
  seq += 1
  const res = await world.auth.inject({
    method: 'POST',
    url: '/api/register',
    headers: { 'content-type': 'application/json' },
    payload: {
      name: `Buyer ${seq}`,
      email: `buyer${seq}.${process.pid}@example.com`,
      password: 'correct horse battery',
    },
  })
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`)
  const body = res.json()
  return { id: body.user.id, token: body.access_token }
}

export async function adminToken(world: World): Promise<string> {
  const res = await world.auth.inject({
    method: 'POST',
    url: '/api/login',
    headers: { 'content-type': 'application/json' },
    payload: { email: 'admin@example.com', password: 'admin-password-1' },
  })
  if (res.statusCode !== 200) throw new Error(`admin login failed: ${res.statusCode} ${res.body}`)
  return res.json().access_token
}

/** Created through inventory-service's admin API, as in production. */
export async function createProduct(
  world: World,
  { stock, price = 250, maxPerUser }: { stock: number; price?: number; maxPerUser?: number },
): Promise<number> {
  const res = await world.inventory.inject({
    method: 'POST',
    url: '/api/products',
    headers: { authorization: `Bearer ${await adminToken(world)}`, 'content-type': 'application/json' },
    payload: {
      name: uniqueName('product'),
      price_cents: price,
      stock,
      ...(maxPerUser ? { max_per_user: maxPerUser } : {}),
    },
  })
  if (res.statusCode !== 201) throw new Error(`create product failed: ${res.statusCode} ${res.body}`)
  return res.json().id
}

export async function restock(world: World, productId: number, quantity: number): Promise<void> {
  const res = await world.inventory.inject({
    method: 'POST',
    url: `/api/products/${productId}/restock`,
    headers: { authorization: `Bearer ${await adminToken(world)}`, 'content-type': 'application/json' },
    payload: { quantity },
  })
  if (res.statusCode !== 200) throw new Error(`restock failed: ${res.statusCode} ${res.body}`)
}

/** Units inventory-service says are available now (GET /api/products/:id). */
export async function available(world: World, productId: number): Promise<number> {
  const res = await world.inventory.inject({ method: 'GET', url: `/api/products/${productId}` })
  return res.json().stock
}

export function order(app: ServiceApp, buyer: Buyer, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/api/orders',
    headers: { authorization: `Bearer ${buyer.token}`, 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(body),
  })
}

export function get(app: ServiceApp, buyer: Buyer, url: string) {
  return app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${buyer.token}` } })
}

export { eventually, metricValue as metric } from '@flash/test-kit'
