import { createServer } from 'node:net'
import { randomBytes } from 'node:crypto'
import { SERVICES } from '@flash/routes'
import t from 'tap'
import {
  assertPortFree,
  freePort,
  generateDevSecrets,
  type OutputStream,
  type StackOptions,
  startStack,
} from '../src/index.ts'
import { fakeRepo } from './helpers/fake-repo.ts'

// The stack machinery against stand-in services: the real apps are tested by their own suites and
// by the end-to-end tests.
const repoRoot = await fakeRepo(t, SERVICES)
const secrets = generateDevSecrets()

function collect() {
  const lines: { label: string; line: string; stream: OutputStream }[] = []
  return {
    lines,
    output: (label: string, line: string, stream: OutputStream) => void lines.push({ label, line, stream }),
  }
}

const base = (output: StackOptions['output']): StackOptions => ({
  repoRoot,
  secrets,
  output,
  migrate: false,
  inheritEnv: false,
  freePorts: true,
  readyTimeoutMs: 30_000,
  graceMs: 5_000,
})

/** What a stand-in service answers (see helpers/fake-repo.ts). */
interface FakeAnswer {
  service: string
  port: string
  url: string
  env: Record<string, string>
}

async function json(url: string) {
  const res = await fetch(url)
  return { status: res.status, body: (await res.json()) as FakeAnswer }
}

t.test(
  'starts every instance with its environment, routes through the gateway, stops everything',
  async (t) => {
    const out = collect()
    const queueName = `orders-${randomBytes(4).toString('hex')}`
    const stack = await startStack({
      ...base(out.output),
      instances: { 'auth-service': 1, 'inventory-service': 2, 'order-service': 2, 'order-finalizer': 1 },
      env: {
        REDIS_KEY_PREFIX: 'stack-test:',
        ORDERS_QUEUE_NAME: queueName,
        ORDERS_DLQ_NAME: `${queueName}-dlq`,
      },
    })
    t.teardown(() => stack.stop())

    t.equal(stack.instances.length, 6)
    t.equal(stack.urls['inventory-service']?.length, 2)
    t.match(stack.queues.queueUrl, new RegExp(`/${queueName}$`))
    const [inv1, inv2] = stack.urls['inventory-service'] ?? []

    const orderEnvs = await Promise.all(
      stack.instances
        .filter((i) => i.service === 'order-service')
        .map(async (i) => (await json(`${i.url}/env`)).body.env),
    )
    for (const env of orderEnvs) {
      t.equal(env.SERVICE_TOKEN, secrets.serviceToken)
      t.equal(env.JWT_PRIVATE_KEY, secrets.jwtPrivateKey)
      t.equal(env.SQS_ENDPOINT, stack.sqsEndpoint)
      t.equal(env.AUTH_JWKS_URL, `${stack.urls['auth-service']?.[0]}/.well-known/jwks.json`)
      t.equal(env.REDIS_KEY_PREFIX, 'stack-test:')
      t.equal(env.ORDERS_QUEUE_NAME, queueName)
      t.equal(env.ADMIN_EMAIL, 'admin@example.com')
    }
    t.same(
      orderEnvs.map((e) => e.INVENTORY_URL),
      [inv1, inv2],
    )
    t.same(
      orderEnvs.map((e) => e.PORT),
      stack.urls['order-service']?.map((u) => new URL(u).port),
    )

    const viaGateway = [
      await json(`${stack.gatewayUrl}/api/products`),
      await json(`${stack.gatewayUrl}/api/products`),
    ]
    t.same(
      viaGateway.map((r) => r.body.service),
      ['inventory-service', 'inventory-service'],
    )
    t.same(
      viaGateway.map((r) => r.body.port).sort(),
      [new URL(inv1!).port, new URL(inv2!).port].sort(),
      'both inventory instances serve through the gateway',
    )
    t.equal((await json(`${stack.gatewayUrl}/internal/reservations`)).status, 404)
    t.ok(
      out.lines.some((l) => l.label === 'inventory-service#2' && /^listening on/.test(l.line)),
      'labelled output',
    )

    const inventory2 = stack.instances.find((i) => i.label === 'inventory-service#2')!
    const oldPid = inventory2.pid
    await inventory2.restart()
    t.not(inventory2.pid, oldPid, 'a new process')
    t.equal((await json(`${inventory2.url}/x`)).body.port, String(inventory2.port), 'on the same port')

    // A deliberate stop of one instance is not a crash: the stack's end below says "stopped".
    await stack.instances.find((i) => i.label === 'order-service#2')!.stop()

    await stack.stop()
    t.same(await stack.done, { reason: 'stopped' })
    t.ok(
      stack.instances.every((i) => !i.running),
      'every instance stopped',
    )
    await t.rejects(fetch(`${stack.gatewayUrl}/health`), 'the gateway is gone')
    await t.rejects(fetch(stack.sqsEndpoint), 'the emulator is gone')
  },
)

t.test('a child that dies stops the whole stack and says which', async (t) => {
  const out = collect()
  const stack = await startStack({
    ...base(out.output),
    instances: { 'auth-service': 1, 'inventory-service': 1, 'order-service': 0, 'order-finalizer': 0 },
    gateway: false,
  })
  t.teardown(() => stack.stop())
  const auth = stack.instances.find((i) => i.service === 'auth-service')!
  process.kill(auth.pid!, 'SIGKILL')
  t.same(await stack.done, { reason: 'crashed', label: 'auth-service', code: null, signal: 'SIGKILL' })
  t.ok(
    stack.instances.every((i) => !i.running),
    'the others were stopped',
  )
  t.ok(out.lines.some((l) => /auth-service exited unexpectedly/.test(l.line)))
})

t.test('a service that dies during startup fails the start and leaves nothing running', async (t) => {
  const [authPort, inventoryPort, sqsPort] = [await freePort(), await freePort(), await freePort()]
  await t.rejects(
    startStack({
      ...base(collect().output),
      instances: { 'auth-service': 1, 'inventory-service': 1, 'order-service': 0, 'order-finalizer': 0 },
      ports: { sqs: sqsPort, services: { 'auth-service': [authPort], 'inventory-service': [inventoryPort] } },
      serviceEnv: { 'inventory-service': { FAKE_CRASH_AT_START: '1' } },
      gateway: false,
    }),
    /inventory-service exited[\s\S]*its last lines:[\s\S]*crashing as told/,
    'the error carries what the child said last',
  )
  for (const port of [authPort, inventoryPort, sqsPort])
    await assertPortFree(port, '127.0.0.1', `port ${port}`)
  t.pass('all ports released')
})

t.test('refuses a port that is already taken', async (t) => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => blocker.close(resolve)))
  const address = blocker.address()
  const taken = typeof address === 'object' && address ? address.port : 0
  await t.rejects(
    startStack({ ...base(collect().output), ports: { services: { 'auth-service': [taken] } } }),
    new RegExp(`port ${taken} for auth-service is not free`),
  )
})

t.test('skips apps that do not exist yet, refuses to start one asked for explicitly', async (t) => {
  const partial = await fakeRepo(t, ['auth-service'])
  const out = collect()
  const stack = await startStack({ ...base(out.output), repoRoot: partial, gateway: false })
  t.teardown(() => stack.stop())
  t.same(
    stack.instances.map((i) => i.label),
    ['auth-service'],
  )
  t.ok(out.lines.some((l) => /order-finalizer: .* not found, skipped/.test(l.line)))
  await stack.stop()

  await t.rejects(
    startStack({ ...base(collect().output), repoRoot: partial, instances: { 'order-service': 1 } }),
    /apps\/order-service\/src\/server.ts does not exist/,
  )
})

t.test('aborting during startup stops what was started', async (t) => {
  const authPort = await freePort()
  const controller = new AbortController()
  const started = startStack({
    ...base((label, line) => {
      // Said synchronously between two startup steps, so the abort lands mid-startup every time.
      if (label === 'stack' && line === 'auth-service ready') controller.abort()
    }),
    instances: { 'auth-service': 1, 'inventory-service': 1, 'order-service': 0, 'order-finalizer': 0 },
    ports: { services: { 'auth-service': [authPort] } },
    signal: controller.signal,
  })
  await t.rejects(started, /startup aborted/)
  await assertPortFree(authPort, '127.0.0.1', 'auth-service')
  t.pass('auth-service was stopped')
})
