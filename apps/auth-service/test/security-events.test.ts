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
