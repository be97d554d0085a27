import { createTestDatabase, createTestRedisPrefix, TcpProxy, TEST_REDIS_URL } from '@flash/test-kit'
import { createLocalJWKSet, exportJWK, importPKCS8, importSPKI, SignJWT } from 'jose'
import t, { type Test } from 'tap'
import { Type } from 'typebox'
import {
  createServiceApp,
  dbPlugin,
  generateSigningKeyPair,
  redisPlugin,
  tokenAuthPlugin,
  userThrottlePlugin,
} from '../src/index.ts'

// Issue 15 item 1: a per-user limit on authenticated routes, shared by instances, never failing open.
const ISSUER = 'flash-sale-auth'
const AUDIENCE = 'flash-sale-api'
const pair = generateSigningKeyPair()
const privateKey = await importPKCS8(pair.privateKeyPem, 'EdDSA')
const keys = createLocalJWKSet({
  keys: [{ ...(await exportJWK(await importSPKI(pair.publicKeyPem, 'EdDSA'))), kid: 'k1', alg: 'EdDSA' }],
})
const token = (sub: number) =>
  new SignJWT({ role: 'customer', sid: `family-${sub}` })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
    .setSubject(String(sub))
    .setJti(crypto.randomUUID())
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey)

const shared = await createTestDatabase(t, 'kit-throttle')
const prefix = createTestRedisPrefix(t, 'kit-throttle')
const MAX = 10

/** One service instance with the throttle: POST /orders (authenticated, with a body) and a public route. */
async function instance(t: Test, redisUrl = TEST_REDIS_URL) {
  const app = await createServiceApp({ service: 'throttle-test', logLevel: 'silent' })
  await app.register(dbPlugin, { url: shared.url, poolSize: 2 })
  await app.register(redisPlugin, { url: redisUrl, keyPrefix: prefix })
  app.redis.on('error', () => {})
  await app.register(tokenAuthPlugin, { issuer: ISSUER, audience: AUDIENCE, keys })
  // A sync interval far past the test: only the test's own sync() calls merge counts.
  await app.register(userThrottlePlugin, {
    max: MAX,
    windowSeconds: 3_600,
    redisTimeoutMs: 200,
    scope: 'throttle-test',
    syncMs: 3_600_000,
  })
  app.post(
    '/orders',
    { onRequest: app.authenticate, schema: { body: Type.Object({ n: Type.Integer() }) } },
    async () => ({ ok: true }),
  )
  app.get('/public', async () => ({ ok: true }))
  app.post('/logout', { onRequest: app.authenticate, config: { userThrottle: false } }, async () => ({
    ok: true,
  }))
  t.teardown(() => app.close())
  await app.ready()
  return app
}

const order = (app: Awaited<ReturnType<typeof instance>>, bearer: string, body = '{"n":1}') =>
  app.inject({
    method: 'POST',
    url: '/orders',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    payload: body,
  })

t.test('one user, 30 orders in a burst: MAX pass, the rest 429 with Retry-After and RateLimit', async (t) => {
  const app = await instance(t)
  const buyer = await token(101)
  const statuses: number[] = []
  let last: Awaited<ReturnType<typeof order>> | undefined
  for (let i = 0; i < 30; i++) {
    last = await order(app, buyer)
    statuses.push(last.statusCode)
  }
  t.same(statuses, [...Array(MAX).fill(200), ...Array(30 - MAX).fill(429)])
  t.match(last!.headers['content-type'], /^application\/problem\+json/)
  t.match(last!.json(), { code: 'rate_limited', status: 429 })
  t.ok(Number(last!.headers['retry-after']) >= 1)
  t.equal(last!.headers['ratelimit-policy'], `"user";q=${MAX};w=3600`)
  t.match(last!.headers.ratelimit, /^"user";r=0;t=\d+$/)
  t.equal((await order(app, buyer, 'not json')).statusCode, 429, 'refused before the body is parsed')
  t.equal((await order(app, await token(102))).statusCode, 200, 'another user is not affected')
  const first = await order(app, await token(103))
  t.equal(
    first.headers.ratelimit?.toString().startsWith(`"user";r=${MAX - 1};`),
    true,
    'remaining counts down',
  )
  t.equal((await app.inject('/public')).statusCode, 200, 'routes without a user are not counted')
  const logout = await app.inject({
    method: 'POST',
    url: '/logout',
    headers: { authorization: `Bearer ${buyer}` },
  })
  t.equal(logout.statusCode, 200, 'a route that opts out (logout) is never refused')
})

t.test('the limit is shared: what one instance admitted counts on the other', async (t) => {
  const a = await instance(t)
  const b = await instance(t)
  const buyer = await token(201)
  for (let i = 0; i < 6; i++) t.equal((await order(a, buyer)).statusCode, 200)
  await a.userThrottle.sync()
  // B learns the shared count with its first sync after seeing this buyer (every syncMs in service).
  const onB = [(await order(b, buyer)).statusCode]
  await b.userThrottle.sync()
  for (let i = 0; i < 5; i++) onB.push((await order(b, buyer)).statusCode)
  t.same(onB, [200, 200, 200, 200, 429, 429], 'B admits only what is left of the shared budget')
})

t.test('Redis cut: each instance keeps limiting with its own count (never fails open)', async (t) => {
  const { hostname, port } = new URL(TEST_REDIS_URL)
  const proxy = await TcpProxy.start({ host: hostname, port: Number(port || 6379) })
  t.teardown(() => proxy.close())
  const app = await instance(t, proxy.url(TEST_REDIS_URL))
  const buyer = await token(301)
  proxy.cut()
  const statuses: number[] = []
  for (let i = 0; i < MAX + 3; i++) {
    statuses.push((await order(app, buyer)).statusCode)
    await app.userThrottle.sync()
  }
  t.same(statuses, [...Array(MAX).fill(200), 429, 429, 429])
})
