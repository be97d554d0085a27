// The pieces of a benchmark stack: services as child processes on free loopback ports, plus a
// migrated database, a Redis prefix, the SQS emulator with its queues and auth-service in-process.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { type AddressInfo, createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { buildApp as buildAuth } from '@flash/auth-service'
import { AuthEnv, loadConfig } from '@flash/config'
import { createSqsClient, ensureQueues, startSqsEmulator } from '@flash/queue'
import { generateSigningKeyPair } from '@flash/service-kit'
import { createTestDatabase, createTestRedisPrefix, TEST_REDIS_URL, uniqueName } from '@flash/test-kit'

export const cleanups: (() => unknown)[] = []
const t = { teardown: (fn: () => unknown) => void cleanups.push(fn) }
const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url))

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** A service as its own process (logs to our stderr), returned once /health answers. */
export async function start(script: string, env: Record<string, string>, nodeArgs: string[] = []) {
  const port = await freePort()
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, root(script)], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  cleanups.push(
    () =>
      new Promise((resolve) => {
        child.once('exit', resolve)
        child.kill('SIGTERM')
      }),
  )
  // Bounded: 20 s for the process to answer.
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`)
    if (
      await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.status < 500,
        () => false,
      )
    ) {
      return { pid: child.pid!, url: `http://127.0.0.1:${port}` }
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${script} did not start`)
}

/** CPU milliseconds (user + system) a process has used so far, from /proc. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

export async function createBenchWorld() {
  const { url } = await createTestDatabase(t, 'bench')
  const prefix = createTestRedisPrefix(t, 'bench')
  const emulator = await startSqsEmulator({ port: 0 })
  cleanups.push(() => emulator.stop())
  const sqs = createSqsClient({ endpoint: emulator.endpoint, region: 'us-east-1' })
  const names = { queueName: uniqueName('bench-q'), dlqName: uniqueName('bench-dlq') }
  await ensureQueues(sqs, names)
  sqs.destroy()

  const keys = generateSigningKeyPair()
  const base = { DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix }
  const admin = { email: 'admin@example.com', password: 'admin-password-1' }
  const auth = await buildAuth(
    loadConfig(AuthEnv, {
      ...base,
      JWT_PRIVATE_KEY: keys.privateKeyPem,
      PASSWORD_HASH_COST: '10',
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
    }),
    { logLevel: 'silent' },
  )
  cleanups.push(() => auth.close())
  await auth.listen({ host: '127.0.0.1', port: 0 })
  const token = async (path: string, payload: object): Promise<string> =>
    (
      await auth.inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/json' },
        payload,
      })
    ).json().access_token
  return {
    env: {
      ...base,
      AUTH_JWKS_URL: `http://127.0.0.1:${(auth.server.address() as AddressInfo).port}/.well-known/jwks.json`,
      SERVICE_TOKEN: 'bench-service-token-0123456789',
      SQS_ENDPOINT: emulator.endpoint,
      ORDERS_QUEUE_NAME: names.queueName,
      ORDERS_DLQ_NAME: names.dlqName,
      DB_POOL_SIZE: '20',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    },
    adminToken: () => token('/api/login', admin),
    buyerToken: () =>
      token('/api/register', {
        name: 'Bench',
        email: `${uniqueName('b')}@example.com`,
        password: 'correct horse battery',
      }),
  }
}
