import { generateSigningKeyPair } from '@flash/service-kit'
import { importPKCS8, SignJWT } from 'jose'
import t from 'tap'
import { bearer, createWorld, decodePart, register, startApp } from './helpers.ts'

const world = await createWorld(t, 'auth-refused')
const app = await startApp(t, world.config())
const s = await register(app)
const good = s.access_token
const claims = decodePart(good, 1)
const ownKey = await importPKCS8(world.keys.privateKeyPem, 'EdDSA')
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')

/** A token like ours, signed with `key`, with some claims or the header changed. */
async function forge(
  overrides: { iss?: string; aud?: string; exp?: number; iat?: number } = {},
  key: Parameters<SignJWT['sign']>[0] = ownKey,
  alg = 'EdDSA',
) {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ role: claims.role, sid: claims.sid })
    .setProtectedHeader({ alg, kid: 'test-key' })
    .setSubject(claims.sub)
    .setJti(crypto.randomUUID())
    .setIssuer(overrides.iss ?? 'flash-sale-auth')
    .setAudience(overrides.aud ?? 'flash-sale-api')
    .setIssuedAt(overrides.iat ?? now)
    .setExpirationTime(overrides.exp ?? now + 300)
    .sign(key)
}

t.test('the genuine token and a freshly forged-with-our-key one work (the harness is sound)', async (t) => {
  for (const token of [good, await forge()]) {
    t.equal((await app.inject({ url: '/api/me', headers: bearer(token) })).statusCode, 200)
  }
})

t.test('forged, tampered, expired and misaddressed tokens → 401 unauthorized', async (t) => {
  const [header, payload, signature] = good.split('.') as [string, string, string]
  const now = Math.floor(Date.now() / 1000)
  const cases: Record<string, string> = {
    'alg none, no signature': `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
    'alg none, original signature kept': `${b64({ alg: 'none' })}.${payload}.${signature}`,
    'HS256 signed with a guessed secret': await forge({}, new TextEncoder().encode('secret'), 'HS256'),
    'HS256 signed with the public key as secret': await forge(
      {},
      new TextEncoder().encode(world.keys.publicKeyPem),
      'HS256',
    ),
    'payload tampered to role admin': `${header}.${b64({ ...claims, role: 'admin' })}.${signature}`,
    'payload tampered to another user': `${header}.${b64({ ...claims, sub: '999' })}.${signature}`,
    'signature stripped': `${header}.${payload}.`,
    expired: await forge({ iat: now - 1000, exp: now - 60 }),
    'wrong issuer': await forge({ iss: 'evil-auth' }),
    'wrong audience': await forge({ aud: 'another-api' }),
    'another key pair (same kid)': await forge(
      {},
      await importPKCS8(generateSigningKeyPair().privateKeyPem, 'EdDSA'),
    ),
    garbage: 'not.a.jwt',
  }
  for (const [name, token] of Object.entries(cases)) {
    const res = await app.inject({ url: '/api/me', headers: bearer(token) })
    t.equal(res.statusCode, 401, name)
    t.match(res.headers['content-type'], /^application\/problem\+json/, name)
    t.equal(res.json().code, 'unauthorized', name)
    t.match(String(res.headers['www-authenticate']), /^Bearer /, name)
  }
})

t.test('a token that expires while in use is refused afterwards', async (t) => {
  const shortLived = await startApp(t, world.config({ ACCESS_TOKEN_TTL_SECONDS: '1' }))
  const session = await register(shortLived)
  t.equal(decodePart(session.access_token, 1).exp - decodePart(session.access_token, 1).iat, 1)
  t.equal(
    (await shortLived.inject({ url: '/api/me', headers: bearer(session.access_token) })).statusCode,
    200,
  )
  // Wait (bounded) until the one-second lifetime has passed; no timing is asserted.
  let status = 200
  for (let i = 0; i < 40 && status === 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    status = (await shortLived.inject({ url: '/api/me', headers: bearer(session.access_token) })).statusCode
  }
  t.equal(status, 401)
})

t.test('tokens travel only in the Authorization header', async (t) => {
  const cases = {
    'query string access_token': { url: `/api/me?access_token=${good}` },
    'query string token': { url: `/api/me?token=${good}` },
    'no header': { url: '/api/me' },
    'wrong scheme': { url: '/api/me', headers: { authorization: `Token ${good}` } },
    'bare token': { url: '/api/me', headers: { authorization: good } },
    cookie: { url: '/api/me', headers: { cookie: `access_token=${good}` } },
  }
  for (const [name, request] of Object.entries(cases)) {
    const res = await app.inject(request)
    t.equal(res.statusCode, 401, name)
    t.equal(res.json().code, 'unauthorized', name)
  }
  const logout = await app.inject({ method: 'POST', url: `/api/logout?access_token=${good}` })
  t.equal(logout.statusCode, 401, 'logout ignores a query-string token too')
  t.equal((await app.inject({ url: '/api/me', headers: bearer(good) })).statusCode, 200, 'still logged in')
})
