import { createRedis } from '@flash/service-kit'
import { deleteKeysByPrefix, TcpProxy, TEST_MYSQL_SERVER, TEST_REDIS_URL } from '@flash/test-kit'
import t from 'tap'
import { bearer, createWorld, eventually, me, post, register, startApp } from './helpers.ts'

// Issue 6 items 7 and 8: a logout must hold through Redis losing its data or blipping.
const world = await createWorld(t, 'auth-revoke-faults')
const logout = (app: Awaited<ReturnType<typeof startApp>>, token: string) =>
  post(app, '/api/logout', undefined, bearer(token))

const proxyTo = async (url: string, fallbackPort: number) => {
  const { hostname, port } = new URL(url)
  const proxy = await TcpProxy.start({ host: hostname, port: Number(port || fallbackPort) })
  t.teardown(() => proxy.close())
  return proxy
}

const flushPrefix = async () => {
  const redis = createRedis({ url: TEST_REDIS_URL, keyPrefix: '' })
  try {
    await deleteKeysByPrefix(redis, world.prefix)
  } finally {
    redis.disconnect()
  }
}

t.test(
  'after Redis loses its data, an instance started later still refuses a logged-out token',
  async (t) => {
    const app = await startApp(t, world.config())
    const s = await register(app)
    t.equal((await logout(app, s.access_token)).statusCode, 204)
    await flushPrefix()

    const late = await startApp(t, world.config())
    const res = await me(late, s.access_token)
    t.equal(res.statusCode, 401, 'refused by the new instance')
    t.equal(res.json().code, 'token_revoked')
  },
)

t.test(
  'logout while Redis is cut: 204 once durable in MySQL, a retry succeeds, others hear later',
  async (t) => {
    const redisProxy = await proxyTo(TEST_REDIS_URL, 6379)
    const cut = await startApp(t, world.config({ REDIS_URL: redisProxy.url(TEST_REDIS_URL) }))
    const other = await startApp(t, world.config())
    const s = await register(cut)
    t.equal((await me(other, s.access_token)).statusCode, 200, 'valid (and cached) on the other instance')

    redisProxy.cut()
    const first = await logout(cut, s.access_token)
    t.equal(first.statusCode, 204, 'MySQL holds the revocation: the logout is done')
    const retry = await logout(cut, s.access_token)
    t.equal(retry.statusCode, 204, 'a retried logout (the client never saw the answer) succeeds too')
    t.equal((await me(cut, s.access_token)).statusCode, 401, 'refused at once by the instance that revoked')

    redisProxy.resume()
    const heard = await eventually(async () => (await me(other, s.access_token)).statusCode === 401, 500)
    t.ok(heard, 'the revocation reaches the other instance once Redis is back')
    const late = await startApp(t, world.config())
    t.equal((await me(late, s.access_token)).statusCode, 401, 'and any instance started later')
  },
)

t.test('logout while MySQL is cut: 503 + Retry-After, nothing marked; the retry then succeeds', async (t) => {
  const mysqlProxy = await proxyTo(TEST_MYSQL_SERVER, 3306)
  const databaseUrl = world.env.DATABASE_URL!
  const app = await startApp(t, world.config({ DATABASE_URL: mysqlProxy.url(databaseUrl) }))
  const s = await register(app)
  const claims = JSON.parse(Buffer.from(s.access_token.split('.')[1]!, 'base64url').toString())

  mysqlProxy.cut()
  const failed = await logout(app, s.access_token)
  t.equal(failed.statusCode, 503)
  t.match(failed.headers['content-type'], /^application\/problem\+json/)
  t.equal(failed.json().code, 'dependency_unavailable')
  t.ok(Number(failed.headers['retry-after']) >= 1, 'Retry-After')
  t.notOk(
    app.revocations.isRevoked(claims.jti, claims.sid),
    'no local mark for a revocation that is not durable',
  )

  mysqlProxy.resume()
  const retried = await logout(app, s.access_token)
  t.equal(retried.statusCode, 204, 'the retry succeeds on the same instance')
  t.equal((await me(app, s.access_token)).statusCode, 401)
})
