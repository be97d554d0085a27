import { loadConfig } from '@flash/config'
import { type AuthConfig, AuthEnv } from '../src/config.ts'
import type { Database } from '@flash/db'
import { generateSigningKeyPair, type ServiceApp } from '@flash/service-kit'
import { createTestDatabase, createTestRedisPrefix, TEST_REDIS_URL } from '@flash/test-kit'
import type { Kysely } from 'kysely'
import { buildApp } from '../src/app.ts'
import type { PasswordHasherOptions } from '../src/passwords/password.ts'
import type { Teardown } from '@flash/test-kit'

/** One test file's world: its own database, Redis prefix and signing key pair. */
export interface TestWorld {
  db: Kysely<Database>
  prefix: string
  keys: { privateKeyPem: string; publicKeyPem: string }
  /** The environment a server would get; `config()` validates it like the real boot does. */
  env: Record<string, string>
  config(overrides?: Record<string, string>): AuthConfig
}

export async function createWorld(t: Teardown, label: string): Promise<TestWorld> {
  const { url, db } = await createTestDatabase(t, label)
  const prefix = createTestRedisPrefix(t, label)
  const keys = generateSigningKeyPair()
  const env: Record<string, string> = {
    DATABASE_URL: url,
    DB_POOL_SIZE: '5',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    JWT_PRIVATE_KEY: keys.privateKeyPem,
    JWT_KEY_ID: 'test-key',
    // Cheap hashes for speed; the production cost is tested in password.test.ts.
    PASSWORD_HASH_MEMORY_KIB: '1024',
    PASSWORD_HASH_PASSES: '1',
    AUTH_RATE_LIMIT_MAX: '10000',
    USER_RATE_LIMIT_MAX: '10000',
    // Event-loop shedding would answer 503 on a busy CI box; the tests here are not about it.
    SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    LOG_LEVEL: 'silent',
  }
  return { db, prefix, keys, env, config: (overrides = {}) => loadConfig(AuthEnv, { ...env, ...overrides }) }
}

/** A built (and ready) app, closed when the test ends. */
export async function startApp(t: Teardown, config: AuthConfig): Promise<ServiceApp> {
  const app = await buildApp(config, { logLevel: 'silent' })
  t.teardown(() => app.close())
  await app.ready()
  return app
}

let seq = 0
/** A fresh, valid registration body. */
export const newUser = (overrides: Partial<{ name: string; email: string; password: string }> = {}) => {
  seq += 1
  return {
    name: `Buyer ${seq}`,
    email: `buyer${seq}.${process.pid}@example.com`,
    password: 'correct horse battery',
    ...overrides,
  }
}

/** Password hasher options for tests: cheap, generous gate. */
export const testHasherOptions = (overrides: Partial<PasswordHasherOptions> = {}): PasswordHasherOptions => ({
  memoryKiB: 1024,
  passes: 1,
  concurrency: 2,
  queueMax: 1000,
  maxWaitMs: 30_000,
  ...overrides,
})

export function post(app: ServiceApp, url: string, body?: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  })
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

export function me(app: ServiceApp, token: string) {
  return app.inject({ method: 'GET', url: '/api/me', headers: bearer(token) })
}

export interface Session {
  user: { id: number; name: string; email: string; role: string }
  access_token: string
  refresh_token: string
}

export async function register(app: ServiceApp, body = newUser()): Promise<Session & { password: string }> {
  const res = await post(app, '/api/register', body)
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`)
  return { ...res.json(), password: body.password }
}

/** Decodes a JWT part without verifying it (tests inspect what was issued). */
export const decodePart = (token: string, index: 0 | 1) =>
  JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString())

/** Polls `check` until it returns true, at most `attempts` × `intervalMs`; returns the last result. */
export async function eventually(check: () => Promise<boolean>, attempts = 200, intervalMs = 10) {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  return false
}
