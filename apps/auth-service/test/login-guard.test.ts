import { createRedis } from '@flash/service-kit'
import { TEST_REDIS_URL, TcpProxy } from '@flash/test-kit'
import t from 'tap'
import { createWorld, register, startApp } from './helpers.ts'

// Issue 15 item 2: wrong passwords for one account from rotating addresses lock that account briefly.
const world = await createWorld(t, 'auth-login-guard')
const guarded = { LOGIN_MAX_FAILURES: '5', LOGIN_FAILURE_WINDOW_SECONDS: '900', LOGIN_LOCK_SECONDS: '60' }

const loginFrom = (app: Awaited<ReturnType<typeof startApp>>, address: string, body: object) =>
  app.inject({
    method: 'POST',
    url: '/api/login',
    remoteAddress: address,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  })

t.test('20 wrong passwords from 20 addresses, then the right one → 429 with Retry-After', async (t) => {
  const app = await startApp(t, world.config(guarded))
  const s = await register(app)
  const statuses: number[] = []
  for (let i = 0; i < 20; i++) {
    const res = await loginFrom(app, `10.0.${i}.1`, { email: s.user.email, password: `wrong guess ${i}` })
    statuses.push(res.statusCode)
  }
  t.same(statuses.slice(0, 5), [401, 401, 401, 401, 401], 'the first failures are plain 401s')
  t.ok(
    statuses.slice(5).every((status) => status === 429),
    'then the account is locked',
  )
  const right = await loginFrom(app, '10.9.9.9', { email: s.user.email, password: s.password })
  t.equal(right.statusCode, 429, 'even the right password waits for the lock to end')
  t.equal(right.json().code, 'rate_limited')
  const retryAfter = Number(right.headers['retry-after'])
  t.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After within the lock (${retryAfter})`)

  // The lock is short: once it has passed (its key expired), the owner gets in and the count clears.
  const redis = createRedis({ url: TEST_REDIS_URL, keyPrefix: world.prefix })
  t.teardown(() => redis.disconnect())
  for (const key of await redis.keys(`${world.prefix}auth:login-fail:*`)) {
    await redis.del(key.slice(world.prefix.length))
  }
  const restarted = await startApp(t, world.config(guarded))
  const after = await loginFrom(restarted, '10.9.9.9', { email: s.user.email, password: s.password })
  t.equal(after.statusCode, 200, 'the owner logs in after the lock')
  const unknown = await loginFrom(restarted, '10.9.9.8', { email: 'nobody@example.com', password: 'x' })
  t.equal(unknown.statusCode, 401, 'unknown emails are counted like known ones, not refused outright')
})

t.test('while Redis is cut the account is still locked per instance', async (t) => {
  const { hostname, port } = new URL(TEST_REDIS_URL)
  const proxy = await TcpProxy.start({ host: hostname, port: Number(port || 6379) })
  t.teardown(() => proxy.close())
  const app = await startApp(t, world.config({ ...guarded, REDIS_URL: proxy.url(TEST_REDIS_URL) }))
  const s = await register(app)
  proxy.cut()
  const statuses: number[] = []
  for (let i = 0; i < 7; i++) {
    const res = await loginFrom(app, `10.1.${i}.1`, { email: s.user.email, password: `wrong guess ${i}` })
    statuses.push(res.statusCode)
  }
  t.same(statuses, [401, 401, 401, 401, 401, 429, 429])
})
