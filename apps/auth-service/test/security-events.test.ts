import t from 'tap'
import { bearer, createWorld, post, register, startApp } from './helpers.ts'

// Issue 15 item 5: failed logins, revocations and refused tokens are counted as security events.
const world = await createWorld(t, 'auth-security-events')
const app = await startApp(t, world.config())

const counted = async (event: string, outcome: string) => {
  const text = (await app.inject('/metrics')).body
  const line = text
    .split('\n')
    .find((l) => l.startsWith('security_events_total') && l.includes(`event="${event}",outcome="${outcome}"`))
  return line ? Number(line.split(' ').pop()) : 0
}

t.test('failed login, logout, refresh reuse and a revoked token each count', async (t) => {
  const s = await register(app)
  await post(app, '/api/login', { email: s.user.email, password: 'not the password at all' })
  t.equal(await counted('unauthenticated', 'invalid_credentials'), 1)

  const rotated = (await post(app, '/api/refresh', { refresh_token: s.refresh_token })).json()
  t.equal((await post(app, '/api/refresh', { refresh_token: s.refresh_token })).statusCode, 401)
  t.equal(await counted('revocation', 'refresh_token_reused'), 1)

  const other = (await post(app, '/api/login', { email: s.user.email, password: s.password })).json()
  t.equal((await post(app, '/api/logout', undefined, bearer(other.access_token))).statusCode, 204)
  t.equal(await counted('revocation', 'logout'), 1)
  const refused = await app.inject({ url: '/api/me', headers: bearer(rotated.access_token) })
  t.equal(refused.statusCode, 401)
  t.equal(await counted('unauthenticated', 'token_revoked'), 1)
})

t.test('token and account answers are never stored (RFC 6749 §5.1)', async (t) => {
  const s = await register(app)
  const answers = [
    await post(app, '/api/login', { email: s.user.email, password: s.password }),
    await post(app, '/api/refresh', { refresh_token: s.refresh_token }),
    await app.inject({ url: '/api/me', headers: bearer(s.access_token) }),
  ]
  for (const res of answers) {
    t.equal(res.headers['cache-control'], 'no-store')
    t.equal(res.headers.pragma, 'no-cache')
    t.equal(res.headers['x-content-type-options'], 'nosniff')
  }
  const registered = await post(app, '/api/register', {
    name: 'Cache Test',
    email: 'cache.test@example.com',
    password: 'a fine passphrase',
  })
  t.equal(registered.headers['cache-control'], 'no-store')
  const jwks = await app.inject('/.well-known/jwks.json')
  t.match(jwks.headers['cache-control'], /^public, max-age=/, 'the public key set stays cacheable')
})
