import {
  createTestDatabase,
  createTestRedisPrefix,
  deleteKeysByPrefix,
  eventually,
  TcpProxy,
  TEST_REDIS_URL,
} from '@flash/test-kit'
import { createLocalJWKSet, exportJWK, importPKCS8, importSPKI, SignJWT } from 'jose'
import t, { type Test } from 'tap'
import {
  authPlugin,
  createRedis,
  createServiceApp,
  dbPlugin,
  generateSigningKeyPair,
  redisPlugin,
  RevocationList,
  TokenVerifier,
  tokenAuthPlugin,
} from '../src/index.ts'

const ISSUER = 'flash-sale-auth'
const AUDIENCE = 'flash-sale-api'
const pair = generateSigningKeyPair()
const privateKey = await importPKCS8(pair.privateKeyPem, 'EdDSA')
const publicJwk = {
  ...(await exportJWK(await importSPKI(pair.publicKeyPem, 'EdDSA'))),
  kid: 'k1',
  alg: 'EdDSA',
}
const keys = createLocalJWKSet({ keys: [publicJwk] })

async function token(claims: Record<string, unknown> = {}, expiresIn = '5m') {
  return new SignJWT({ role: 'customer', sid: 'family-1', ...claims })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
    .setSubject(String(claims.sub ?? '7'))
    .setJti(String(claims.jti ?? crypto.randomUUID()))
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(privateKey)
}

/** The shared MySQL database (with the durable revocations table) of the instances below. */
const shared = await createTestDatabase(t, 'kit-auth')

/** One "service instance": its own Redis connection, revocation list and verifier. */
async function instance(t: Test, prefix: string) {
  const redis = createRedis({ url: TEST_REDIS_URL, keyPrefix: prefix })
  await redis.connect()
  const revocations = new RevocationList({ redis, db: shared.db })
  await revocations.start()
  const app = await createServiceApp({ service: 'auth-test', logLevel: 'silent' })
  await app.register(authPlugin, {
    verifier: new TokenVerifier({ keys, issuer: ISSUER, audience: AUDIENCE }),
    revocations,
  })
  app.get('/me', { preHandler: app.authenticate }, async (request) => request.user)
  app.get('/admin', { preHandler: app.requireAdmin }, async () => ({ ok: true }))
  t.teardown(async () => {
    await app.close()
    await revocations.stop()
    redis.disconnect()
  })
  return { app, revocations }
}

const get = (app: Awaited<ReturnType<typeof instance>>['app'], url: string, bearer?: string) =>
  app.inject({ method: 'GET', url, headers: bearer ? { authorization: `Bearer ${bearer}` } : {} })

t.test('a valid token authenticates; roles are enforced', async (t) => {
  const { app } = await instance(t, createTestRedisPrefix(t, 'kit-auth'))
  const res = await get(app, '/me', await token({ sub: '42' }))
  t.equal(res.statusCode, 200)
  t.match(res.json(), { id: 42, role: 'customer', sid: 'family-1' })
  t.equal((await get(app, '/admin', await token())).statusCode, 403)
  t.equal((await get(app, '/admin', await token({ role: 'admin' }))).statusCode, 200)
})

t.test('forged, tampered, expired and misaddressed tokens are refused', async (t) => {
  const { app } = await instance(t, createTestRedisPrefix(t, 'kit-auth'))
  const good = await token()
  const [header, payload, signature] = good.split('.') as [string, string, string]
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())

  const hs256 = await new SignJWT({ role: 'admin', sid: 's' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('1')
    .setJti('j')
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode('secret'))
  const cases: Record<string, string> = {
    'alg none': `${b64({ alg: 'none' })}.${payload}.`,
    'HS256 with a guessed secret': hs256,
    'tampered payload': `${header}.${b64({ ...claims, role: 'admin' })}.${signature}`,
    expired: await token({}, '-1s'),
    'wrong issuer': await new SignJWT({ role: 'customer', sid: 's' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setSubject('1')
      .setJti('j')
      .setIssuer('someone-else')
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey),
    'wrong audience': await new SignJWT({ role: 'customer', sid: 's' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setSubject('1')
      .setJti('j')
      .setIssuer(ISSUER)
      .setAudience('other-api')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey),
    'another key pair': await new SignJWT({ role: 'customer', sid: 's' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setSubject('1')
      .setJti('j')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(await importPKCS8(generateSigningKeyPair().privateKeyPem, 'EdDSA')),
    garbage: 'not.a.jwt',
  }
  for (const [name, bad] of Object.entries(cases)) {
    const res = await get(app, '/me', bad)
    t.equal(res.statusCode, 401, name)
    t.equal(res.json().code, 'unauthorized', name)
    t.match(String(res.headers['www-authenticate']), /^Bearer /, name)
  }
  t.equal((await get(app, '/me')).statusCode, 401, 'no token')
  t.equal(
    (await app.inject({ url: `/me?access_token=${good}` })).statusCode,
    401,
    'query-string token ignored',
  )
})

t.test('a revocation reaches every instance, including one that starts later', async (t) => {
  const prefix = createTestRedisPrefix(t, 'kit-auth')
  const a = await instance(t, prefix)
  const b = await instance(t, prefix)
  const jti = crypto.randomUUID()
  const revoked = await token({ jti })
  const sibling = await token({ sid: 'family-2' })
  const familyMember = await token({ sid: 'family-2' })
  t.equal((await get(b.app, '/me', revoked)).statusCode, 200, 'valid (and cached) before revocation')

  const until = Math.floor(Date.now() / 1000) + 300
  await a.revocations.revoke([{ kind: 'jti', id: jti, until }])
  t.equal((await get(a.app, '/me', revoked)).statusCode, 401, 'refused at once by the revoking instance')
  t.equal((await get(a.app, '/me', sibling)).statusCode, 200, 'other tokens unaffected')

  // Pub/sub delivery is asynchronous: wait (bounded) for instance b to hear of it.
  let status = 200
  for (let i = 0; i < 200 && status === 200; i++) {
    status = (await get(b.app, '/me', revoked)).statusCode
    if (status === 200) await new Promise((r) => setTimeout(r, 10))
  }
  t.equal(status, 401, 'refused by the second instance despite its verified-token cache')
  t.equal((await get(b.app, '/me', revoked)).json().code, 'token_revoked')

  await a.revocations.revoke([{ kind: 'sid', id: 'family-2', until }])
  const c = await instance(t, prefix)
  t.equal((await get(c.app, '/me', familyMember)).statusCode, 401, 'a late starter loads the list')
  t.equal((await get(c.app, '/me', revoked)).statusCode, 401)
})

/**
 * A service instance wired the way order-service and inventory-service are: the shared MySQL pool,
 * Redis (optionally through a proxy the test controls) and tokenAuthPlugin with its revocation list.
 */
async function serviceInstance(t: Test, dbUrl: string, redisUrl: string, prefix: string) {
  const app = await createServiceApp({ service: 'auth-test', logLevel: 'silent' })
  t.teardown(() => app.close())
  await app.register(dbPlugin, { url: dbUrl, poolSize: 2 })
  await app.register(redisPlugin, { url: redisUrl, keyPrefix: prefix })
  await app.register(tokenAuthPlugin, { issuer: ISSUER, audience: AUDIENCE, keys })
  app.get('/me', { preHandler: app.authenticate }, async (request) => request.user)
  await app.ready()
  return app
}

t.test('revocations survive Redis losing its data: a new instance still refuses', async (t) => {
  const { url } = await createTestDatabase(t, 'kit-revoke-flush')
  const prefix = createTestRedisPrefix(t, 'kit-revoke-flush')
  const a = await serviceInstance(t, url, TEST_REDIS_URL, prefix)
  const jti = crypto.randomUUID()
  const revoked = await token({ jti })
  const familyMember = await token({ sid: 'family-flush' })
  const until = Math.floor(Date.now() / 1000) + 300
  await a.revocations.revoke([
    { kind: 'jti', id: jti, until },
    { kind: 'sid', id: 'family-flush', until },
  ])

  // Redis loses everything under this test's prefix (a flush, or a failover to an empty replica).
  const redis = createRedis({ url: TEST_REDIS_URL, keyPrefix: '' })
  t.teardown(() => redis.disconnect())
  await deleteKeysByPrefix(redis, prefix)

  const late = await serviceInstance(t, url, TEST_REDIS_URL, prefix)
  t.equal((await get(late, '/me', revoked)).statusCode, 401, 'the revoked jti is refused by a new instance')
  t.equal((await get(late, '/me', familyMember)).statusCode, 401, 'and the revoked family')
  t.equal((await get(late, '/me', await token())).statusCode, 200, 'other tokens still pass')
})

t.test('an instance that reconnects to an emptied Redis gets the revocations it missed', async (t) => {
  const { url } = await createTestDatabase(t, 'kit-revoke-reconnect')
  const prefix = createTestRedisPrefix(t, 'kit-revoke-reconnect')
  const { port, hostname } = new URL(TEST_REDIS_URL)
  const proxy = await TcpProxy.start({ host: hostname, port: Number(port || 6379) })
  t.teardown(() => proxy.close())
  const revoker = await serviceInstance(t, url, TEST_REDIS_URL, prefix)
  const behindProxy = await serviceInstance(t, url, proxy.url(TEST_REDIS_URL), prefix)
  const jti = crypto.randomUUID()
  const revoked = await token({ jti })
  t.equal((await get(behindProxy, '/me', revoked)).statusCode, 200, 'valid (and cached) before')

  // The instance loses Redis; meanwhile the token is revoked (it misses the pub/sub message) and
  // Redis comes back empty, as after a failover to a replica that had not caught up.
  proxy.cut()
  await revoker.revocations.revoke([{ kind: 'jti', id: jti, until: Math.floor(Date.now() / 1000) + 300 }])
  const redis = createRedis({ url: TEST_REDIS_URL, keyPrefix: '' })
  t.teardown(() => redis.disconnect())
  await deleteKeysByPrefix(redis, prefix)
  proxy.resume()

  const refused = await eventually(async () => (await get(behindProxy, '/me', revoked)).statusCode === 401)
  t.ok(refused, 'refused after the reconnect')
  t.ok(await eventually(async () => behindProxy.revocations.ready), 'and ready again')
})
