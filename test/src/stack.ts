import { ApiClient, expectOk } from '@flash/api-client'
import { createTestDatabase, createTestRedisPrefix, uniqueName } from '@flash/test-kit'
import { generateDevSecrets, type OutputSink, type Stack, startStack } from '@flash/tools'
import type { Test } from 'tap'
import { Agent } from 'undici'

export const ADMIN = { email: 'e2e-admin@example.com', password: 'e2e-admin-password' }

export interface E2eStack {
  stack: Stack
  api: ApiClient
  dbUrl: string
  db: Awaited<ReturnType<typeof createTestDatabase>>['db']
  prefix: string
  queueName: string
  dlqName: string
  adminToken: string
  serviceToken: string
}

/** Keeps the last lines of every child's output, printed only when a test fails. */
function tailOutput(): { sink: OutputSink; dump: () => string } {
  const lines: string[] = []
  return {
    sink: (label, line) => {
      lines.push(`${label} | ${line}`)
      if (lines.length > 400) lines.shift()
    },
    dump: () => lines.join('\n'),
  }
}

/**
 * The whole platform as separate processes — two instances each of inventory-service,
 * order-service and order-finalizer behind the gateway — on its own database, Redis prefix,
 * queues and free ports, stopped on teardown.
 */
export async function startE2eStack(
  t: Test,
  env: Record<string, string> = {},
  finalizerEnv: Record<string, string> = {},
): Promise<E2eStack> {
  const { url, db } = await createTestDatabase(t, 'e2e')
  const prefix = createTestRedisPrefix(t, 'e2e')
  const queueName = uniqueName('orders')
  const dlqName = `${queueName}-dlq`
  const secrets = generateDevSecrets()
  const output = tailOutput()
  const stack = await startStack({
    freePorts: true,
    migrate: false,
    inheritEnv: false,
    secrets,
    output: output.sink,
    instances: { 'auth-service': 1, 'inventory-service': 2, 'order-service': 2, 'order-finalizer': 2 },
    serviceEnv: { 'order-finalizer': finalizerEnv },
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: url,
      DB_POOL_SIZE: '8',
      REDIS_KEY_PREFIX: prefix,
      ORDERS_QUEUE_NAME: queueName,
      ORDERS_DLQ_NAME: dlqName,
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      // Load tools and tests create many buyers quickly: cheap hashes, generous limits (documented).
      PASSWORD_HASH_MEMORY_KIB: '1024',
      PASSWORD_HASH_PASSES: '1',
      AUTH_RATE_LIMIT_MAX: '100000',
      USER_RATE_LIMIT_MAX: '100000',
      ...env,
    },
  })
  t.teardown(async () => {
    await stack.stop()
  })
  t.teardown(() => {
    if (!t.passing()) t.comment(`last output of the stack:\n${output.dump()}`)
  })
  const api = new ApiClient({
    baseUrl: stack.gatewayUrl!,
    dispatcher: new Agent({ connections: 256, keepAliveTimeout: 10_000 }),
  })
  t.teardown(() => api.close())
  const adminToken = expectOk(await api.login(ADMIN)).access_token
  return {
    stack,
    api,
    dbUrl: url,
    db,
    prefix,
    queueName,
    dlqName,
    adminToken,
    serviceToken: secrets.serviceToken,
  }
}

/** Polls `check` until it returns a value, at most `attempts` times `intervalMs` apart. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  { attempts = 600, intervalMs = 100 } = {},
): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await check()
    if (value !== undefined) return value
    await new Promise((r) => setTimeout(r, intervalMs))
  }
  throw new Error(`condition not met after ${attempts} attempts`)
}
