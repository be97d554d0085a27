import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { loadConfig } from '@flash/config'
import { type InventoryConfig, InventoryEnv } from '../src/config.ts'
import type { Database, NewOrder } from '@flash/db'
import { createRedis, generateSigningKeyPair, type ServiceApp } from '@flash/service-kit'
import { createTestDatabase, createTestRedisPrefix, TEST_REDIS_URL } from '@flash/test-kit'
import type { Redis } from 'ioredis'
import { exportJWK, importPKCS8, importSPKI, SignJWT } from 'jose'
import type { Kysely } from 'kysely'
import { type AppOverrides, buildApp } from '../src/app.ts'
import { productKeys } from '../src/stock/index.ts'
import type { Teardown } from '@flash/test-kit'

export const SERVICE_TOKEN = 'test-service-token-0123456789'
export const internal = { authorization: `Bearer ${SERVICE_TOKEN}` }

/** One test file's world: its own database, Redis prefix, signing key and JWKS endpoint. */
export interface TestWorld {
  db: Kysely<Database>
  prefix: string
  /** A client on the world's prefix (same keys the app sees). */
  redis: Redis
  env: Record<string, string>
  config(overrides?: Record<string, string>): InventoryConfig
  /** A signed access token, verified by the app through its real JWKS fetch. */
  token(role: 'admin' | 'customer', sub?: number): Promise<string>
  /** Deletes one product's stock state: what FLUSHALL or an eviction does to it. */
  dropState(productId: number): Promise<void>
}

export async function createWorld(t: Teardown, label: string): Promise<TestWorld> {
  const { url, db } = await createTestDatabase(t, label)
  const prefix = createTestRedisPrefix(t, label)
  const pair = generateSigningKeyPair()
  const privateKey = await importPKCS8(pair.privateKeyPem, 'EdDSA')
  const jwk = {
    ...(await exportJWK(await importSPKI(pair.publicKeyPem, 'EdDSA'))),
    kid: 'k1',
    alg: 'EdDSA',
    use: 'sig',
  }
  // auth-service's JWKS endpoint, played by a tiny local server: the app fetches keys as in production.
  const jwks = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }))
  })
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve))
  const redis = createRedis({ url: TEST_REDIS_URL, keyPrefix: prefix })
  await redis.connect()
  // Registered after the prefix cleanup, so it runs before it (tap runs teardowns in reverse).
  t.teardown(async () => {
    redis.disconnect()
    await new Promise((resolve) => jwks.close(resolve))
  })
  const env: Record<string, string> = {
    DATABASE_URL: url,
    DB_POOL_SIZE: '5',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    AUTH_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`,
    SERVICE_TOKEN,
    LOG_LEVEL: 'silent',
    // The tests drive hundreds of requests from the service's own event loop: that lag is the test's,
    // not overload to shed.
    SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    // Tests that drop a product's state are about the rebuild; the wait before it (a lost product waits
    // WARM_SETTLE_MS) has tests of its own, which set it.
    WARM_SETTLE_MS: '0',
    // The tests drive many requests per token; the per-user limit has its own tests.
    USER_RATE_LIMIT_MAX: '100000',
  }
  let jti = 0
  return {
    db,
    prefix,
    redis,
    env,
    config: (overrides = {}) => loadConfig(InventoryEnv, { ...env, ...overrides }),
    token: (role, sub = role === 'admin' ? 1 : 2) =>
      new SignJWT({ role, sid: `session-${sub}` })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
        .setSubject(String(sub))
        .setJti(`jti-${++jti}`)
        .setIssuer('flash-sale-auth')
        .setAudience('flash-sale-api')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey),
    dropState: async (productId) => {
      await redis.del(...Object.values(productKeys(productId)))
    },
  }
}

/** A built (and ready) app, closed when the test ends; the periodic sweeper and reconciler are off unless asked. */
export async function startApp(
  t: Teardown,
  config: InventoryConfig,
  overrides: AppOverrides = {},
): Promise<ServiceApp> {
  const app = await buildApp(config, { logLevel: 'silent', sweeper: false, reconciler: false, ...overrides })
  t.teardown(() => app.close())
  await app.ready()
  return app
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

export function post(app: ServiceApp, url: string, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(body),
  })
}

/** Creates a product through the admin API; returns its id. */
export async function createProduct(
  app: ServiceApp,
  world: TestWorld,
  body: { name?: string; price_cents?: number; stock: number; max_per_user?: number | null },
): Promise<number> {
  const res = await post(
    app,
    '/api/products',
    { name: 'Widget', price_cents: 1000, ...body },
    bearer(await world.token('admin')),
  )
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`)
  return res.json().id
}

let seq = 0
/** A UUIDv7 (what order-service uses as reservation id), unique within the process. */
export function reservationId(ms = Date.now()): string {
  seq = (seq + 1) % 0xfff
  const hex = ms.toString(16).padStart(12, '0')
  const rand = crypto.randomUUID().replace(/-/g, '')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${seq.toString(16).padStart(3, '0')}-a${rand.slice(0, 3)}-${rand.slice(3, 15)}`
}

/**
 * One reservation through the batch endpoint (the only one): the call's status, and its item's answer
 * as `json()` (the problem itself when the whole call was refused).
 */
export async function reserve(
  app: ServiceApp,
  body: { product_id: number; user_id: number; quantity: number; reservation_id?: string },
) {
  const res = await post(
    app,
    '/internal/reservations/batch',
    { items: [{ reservation_id: reservationId(), ...body }] },
    internal,
  )
  // biome-ignore lint/suspicious/noExplicitAny: the item's shape is what each test asserts
  const json = (): any => (res.statusCode === 200 ? res.json().results[0] : res.json())
  return { statusCode: res.statusCode, body: res.body, headers: res.headers, json }
}

/** An order row as order-service writes it (inventory-service only ever reads orders). */
export async function insertOrder(
  db: Kysely<Database>,
  order: Partial<NewOrder> & Pick<NewOrder, 'product_id' | 'user_id' | 'quantity' | 'reservation_id'>,
) {
  await db
    .insertInto('orders')
    .values({
      order_uuid: crypto.randomUUID(),
      total_price_cents: 1000 * order.quantity,
      status: 'pending',
      ...order,
    })
    .execute()
}

export async function stockState(app: ServiceApp, productId: number) {
  const res = await app.inject({
    method: 'GET',
    url: `/internal/products/${productId}/stock-state`,
    headers: internal,
  })
  if (res.statusCode !== 200) throw new Error(`stock-state failed: ${res.statusCode} ${res.body}`)
  return res.json()
}
