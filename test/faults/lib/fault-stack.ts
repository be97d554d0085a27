import { ApiClient, expectOk } from '@flash/api-client'
import { startSqsEmulator } from '@flash/queue'
import type { ServiceName } from '@flash/routes'
import {
  createTestDatabase,
  createTestRedisPrefix,
  TEST_MYSQL_SERVER,
  TEST_REDIS_URL,
  uniqueName,
} from '@flash/test-kit'
import {
  type Env,
  freePort,
  generateDevSecrets,
  type Stack,
  type StackInstance,
  startStack,
  waitForReady,
} from '@flash/tools'
import { Agent } from 'undici'
import { ADMIN } from '../../src/stack.ts'
import { Orchestrator } from './orchestrator.ts'
import { ProxySet, type Target } from './proxies.ts'
import type { Scope } from './scope.ts'

export interface FaultStack {
  stack: Stack
  proxies: ProxySet
  /** Restarts instances that die, as ECS would; counts what it restarted. */
  orchestrator: Orchestrator
  /** Direct to MySQL (not through a proxy): the audit must see the truth, whatever the fault. */
  db: Awaited<ReturnType<typeof createTestDatabase>>['db']
  dbUrl: string
  prefix: string
  /** Direct to the emulator (not through a proxy). */
  sqsEndpoint: string
  queueName: string
  dlqName: string
  serviceToken: string
  /** Through the gateway, for setup and the audit's GETs (not the buyers' client). */
  api: ApiClient
  adminToken: string
  instances(service: ServiceName): StackInstance[]
  /** The last lines the stack's processes printed (for a failing scenario's log file). */
  output(): string
}

const target = (url: string, defaultPort: number): Target => {
  const u = new URL(url)
  return { host: u.hostname, port: Number(u.port || defaultPort) }
}

/** Keeps the last lines of every child's output, printed only when a scenario fails. */
function tail(limit: number) {
  const lines: string[] = []
  return {
    sink: (label: string, line: string) => {
      lines.push(`${label} | ${line}`)
      if (lines.length > limit) lines.shift()
    },
    dump: () => lines.join('\n'),
  }
}

/**
 * The platform as real processes — auth, 2 × inventory-service, 2 × order-service, 2 × order-finalizer,
 * the gateway — on its own database, Redis prefix, queues and SQS emulator, with every connection to
 * MySQL, Redis and SQS (and the finalizers' calls to inventory) going through proxies the test controls.
 * Everything is torn down when `scope` closes: stack, proxies, emulator, database, keys.
 */
export async function startFaultStack(t: Scope, env: Env = {}): Promise<FaultStack> {
  const { url: dbUrl, db } = await createTestDatabase(t, 'faults')
  const prefix = createTestRedisPrefix(t, 'faults')
  const queueName = uniqueName('orders')
  const dlqName = `${queueName}-dlq`
  const secrets = generateDevSecrets()

  const emulator = await startSqsEmulator({ port: 0 })
  t.teardown(() => emulator.stop())
  // Inventory's ports are chosen up front so the finalizers' proxy can point at instance #1.
  const inventoryPorts = [await freePort(), await freePort()]
  const proxies = await ProxySet.start({
    mysql: target(TEST_MYSQL_SERVER, 3306),
    redis: target(TEST_REDIS_URL, 6379),
    sqs: target(emulator.endpoint, 80),
    inventory: { host: '127.0.0.1', port: inventoryPorts[0]! },
  })
  t.teardown(() => proxies.close())
  const viaMysql = (link: keyof ProxySet['mysql']) => proxies.mysql[link].url(dbUrl)
  const viaSqs = (link: keyof ProxySet['sqs']) => proxies.sqs[link].url(emulator.endpoint).replace(/\/$/, '')

  const output = tail(2_000)
  const orchestrator = new Orchestrator()
  const stack = await startStack({
    freePorts: true,
    ports: { services: { 'inventory-service': inventoryPorts } },
    migrate: false,
    inheritEnv: false,
    secrets,
    output: output.sink,
    sqsEndpoint: emulator.endpoint,
    graceMs: 3_000,
    readyTimeoutMs: 60_000,
    // A crash is a fault under test, not the end of the run: the orchestrator restarts the instance.
    stopOnUnexpectedExit: false,
    onUnexpectedExit: (label) => orchestrator.exited(label),
    instances: { 'auth-service': 1, 'inventory-service': 2, 'order-service': 2, 'order-finalizer': 2 },
    serviceEnv: {
      'auth-service': { DATABASE_URL: viaMysql('auth') },
      'inventory-service': { DATABASE_URL: viaMysql('inventory') },
      'order-service': { DATABASE_URL: viaMysql('order'), SQS_ENDPOINT: viaSqs('order') },
      'order-finalizer': {
        DATABASE_URL: viaMysql('finalizer'),
        SQS_ENDPOINT: viaSqs('finalizer'),
        INVENTORY_URL: `http://127.0.0.1:${proxies.finalizerToInventory.port}`,
      },
    },
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: viaMysql('auth'),
      REDIS_URL: proxies.redis.url(TEST_REDIS_URL).replace(/\/$/, ''),
      DB_POOL_SIZE: '8',
      REDIS_KEY_PREFIX: prefix,
      ORDERS_QUEUE_NAME: queueName,
      ORDERS_DLQ_NAME: dlqName,
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      // Cheap password hashes (documented knobs for tests and load tools): buyers register fast.
      PASSWORD_HASH_MEMORY_KIB: '64',
      PASSWORD_HASH_PASSES: '1',
      PASSWORD_HASH_COST: '10',
      AUTH_RATE_LIMIT_MAX: '100000',
      USER_RATE_LIMIT_MAX: '100000',
      // Short enough that abandoned reservations are swept, and a redelivery after a killed
      // finalizer comes back, within one scenario's convergence window.
      RESERVATION_TTL_SECONDS: '5',
      SWEEP_INTERVAL_MS: '250',
      VISIBILITY_TIMEOUT_SECONDS: '15',
      RETRY_BASE_SECONDS: '1',
      DLQ_POLL_MS: '500',
      SHUTDOWN_GRACE_MS: '2000',
      ...env,
    },
  })
  orchestrator.attach(stack, (instance) =>
    waitForReady(`${instance.url}/ready`, { timeoutMs: 30_000, intervalMs: 100 }),
  )
  t.teardown(async () => {
    orchestrator.detach()
    proxies.healAll()
    await orchestrator.settled()
    await stack.stop()
  })

  const api = new ApiClient({
    baseUrl: stack.gatewayUrl!,
    dispatcher: new Agent({ connections: 64, keepAliveTimeout: 10_000 }),
    timeoutMs: 5_000,
  })
  t.teardown(() => api.close())
  const adminToken = expectOk(await api.login(ADMIN)).access_token
  return {
    stack,
    proxies,
    orchestrator,
    db,
    dbUrl,
    prefix,
    sqsEndpoint: emulator.endpoint,
    queueName,
    dlqName,
    serviceToken: secrets.serviceToken,
    api,
    adminToken,
    instances: (service) => stack.instances.filter((i) => i.service === service),
    output: output.dump,
  }
}
