// The system under test: its own database, Redis prefix and queues, the SQS emulator in a process of its
// own (not sharing the load generator's event loop), the stack via startStack with its gateway (the
// engine's scenarios set up and audit through it), and where the load and the harness's readings go.
import { randomBytes } from 'node:crypto'
import { createDb, type Database, dropDatabase, ensureDatabase } from '@flash/db'
import type { ServiceName } from '@flash/routes'
import type { Kysely } from 'kysely'
import { generateDevSecrets } from '../stack/secrets.ts'
import { type Stack, startStack } from '../stack/stack.ts'
import type { BenchOptions } from './args.ts'
import { startChild } from './child.ts'
import { type Cleanup, deleteRedisPrefix } from './cleanup.ts'
import { childPid, serverPids } from './readings/host-stats.ts'
import type { ServiceLog } from './service-log.ts'

/** Password hashing of the main stack: registering each scenario's buyers is set-up, not what is measured. */
export const CHEAP_HASHING = { PASSWORD_HASH_MEMORY_KIB: '1024', PASSWORD_HASH_PASSES: '1' } as const

/** The environment with the cheap hashing taken out again (keys set by --env are kept). */
export function withDefaultHashing(
  env: Record<string, string | undefined>,
  serviceEnv: Record<string, string>,
): Record<string, string | undefined> {
  const out = { ...env }
  for (const key of Object.keys(CHEAP_HASHING)) if (!(key in serviceEnv)) delete out[key]
  return out
}

export interface Platform {
  name: string
  dbUrl: string
  db: Kysely<Database>
  stack: Stack
  /** The engine's flags that aim a scenario at this stack (--url the gateway, --orders-url …). */
  loadArgs: string[]
  /** The environment the engine reads its admin and the internal audit's service token from. */
  loadEnv: Record<string, string>
  /** order-service and order-finalizer instances, whose counters are scraped around a run. */
  counterUrls: string[]
  jwksUrl: string
  /**
   * A second auth-service (a stack of that service alone, on the same database, Redis prefix and
   * secrets) with auth-service's default password hashing — the production parameters the buyers'
   * set-up skips. The auth storm runs against it; stop it when done.
   */
  startDefaultAuth(): Promise<{ url: string; pid: number | undefined; stop(): Promise<void> }>
  /** Every process of the system under test (services, emulator, MySQL, Redis) by label, for CPU use. */
  pids(): Record<string, number | undefined>
}

export async function startPlatform(opts: {
  options: BenchOptions
  log: ServiceLog
  cleanup: Cleanup
  signal: AbortSignal
  say: (line: string) => void
}): Promise<Platform> {
  const { options, log, cleanup, signal, say } = opts
  const name = `bench_${randomBytes(4).toString('hex')}`
  const server = (process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/').replace(/\/?$/, '/')
  const dbUrl = `${server}${name}`
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
  const prefix = `${name}:`
  const admin = { email: `admin-${name}@bench.example.com`, password: randomBytes(18).toString('base64url') }

  say(`database ${name}, Redis prefix ${prefix}`)
  await ensureDatabase(dbUrl)
  cleanup.add('drop database', () => dropDatabase(dbUrl))
  cleanup.add('delete Redis keys', () => deleteRedisPrefix(redisUrl, prefix))

  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    DATABASE_URL: dbUrl,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    ORDERS_QUEUE_NAME: `${name}_orders`,
    ORDERS_DLQ_NAME: `${name}_orders_dlq`,
    // Cheap hashing for the buyer set-up only; the auth storm uses the defaults (startDefaultAuth).
    ...CHEAP_HASHING,
    AUTH_RATE_LIMIT_MAX: '100000000',
    // On, so its cost is measured, but never reached: every buyer of a run orders many times.
    USER_RATE_LIMIT_MAX: '100000000',
    // auth-service's maximum: a scenario's buyers keep their tokens from set-up through the audit.
    ACCESS_TOKEN_TTL_SECONDS: '900',
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    ...options.serviceEnv,
  }

  const sqs = await startChild({
    label: 'sqs',
    script: 'tools/src/sqs-emulator.ts',
    env: { ...env, SQS_HOST: '127.0.0.1' },
    portVar: 'SQS_PORT',
    output: log.sink,
  })
  cleanup.add('stop the SQS emulator', () => sqs.stop())

  const stack = await startStack({
    freePorts: true,
    inheritEnv: false,
    secrets: generateDevSecrets(),
    sqsEndpoint: sqs.url,
    gateway: true,
    instances: options.instances,
    env,
    output: log.sink,
    signal,
    graceMs: 10_000,
    // A crash is a finding: record it and let the report say so, rather than tearing everything down.
    stopOnUnexpectedExit: false,
    onUnexpectedExit: (label, info) => log.crashed(label, `${info.code ?? info.signal}`),
  })
  cleanup.add('stop the stack', () => stack.stop())
  say(
    `stack up: ${Object.entries(stack.urls)
      .map(([s, u]) => `${s} ${u?.join(' ')}`)
      .join(', ')}${stack.gatewayUrl ? `, gateway ${stack.gatewayUrl}` : ''}`,
  )

  const direct = (service: ServiceName) => stack.urls[service] ?? []
  const gateway = stack.gatewayUrl!
  const db = createDb({ url: dbUrl, poolSize: 3 })
  cleanup.add('close the database pool', () => db.destroy())
  const servers = await serverPids()
  // The gateway is not one of the stack's instances: found among our children for the CPU figures.
  const gatewayPid = await childPid('tools/src/gateway.ts')
  const loadArgs = [
    ...['--url', gateway, '--inventory-url', direct('inventory-service')[0]!],
    // The load straight to the order-service instances (connections spread over them) unless --via-gateway.
    ...(options.viaGateway ? [] : ['--orders-url', direct('order-service').join(',')]),
  ]

  return {
    name,
    dbUrl,
    db,
    stack,
    loadArgs,
    loadEnv: {
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      SERVICE_TOKEN: stack.secrets.serviceToken,
    },
    counterUrls: [...direct('order-service'), ...direct('order-finalizer')],
    jwksUrl: `${direct('auth-service')[0]}/.well-known/jwks.json`,
    async startDefaultAuth() {
      const auth = await startStack({
        freePorts: true,
        inheritEnv: false,
        secrets: stack.secrets,
        sqsEndpoint: sqs.url,
        gateway: false,
        migrate: false,
        instances: { 'auth-service': 1, 'inventory-service': 0, 'order-service': 0, 'order-finalizer': 0 },
        env: withDefaultHashing(env, options.serviceEnv),
        output: log.sink,
        signal,
        graceMs: 10_000,
        stopOnUnexpectedExit: false,
        onUnexpectedExit: (label, info) => log.crashed(`${label} (storm)`, `${info.code ?? info.signal}`),
      })
      const instance = auth.instances[0]
      return { url: auth.urls['auth-service']![0]!, pid: instance?.pid, stop: () => auth.stop() }
    },
    pids: () => ({
      ...Object.fromEntries(stack.instances.map((i) => [i.label, i.pid])),
      sqs: sqs.proc.pid,
      gateway: gatewayPid,
      ...servers,
    }),
  }
}
