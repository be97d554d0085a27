import t from 'tap'
import { createWorld, newUser, post, startApp } from './helpers.ts'

// Issue 15 item 3: NIST SP 800-63B / OWASP ASVS password checks at registration.
const world = await createWorld(t, 'auth-password-policy')
const app = await startApp(t, world.config())

t.test('common, blank, repeated and own-identity passwords → 400, no account', async (t) => {
  const base = newUser({ name: 'Mallory Buyer', email: 'mallory.buyer@example.com' })
  const refused = [
    'password',
    '12345678',
    'PassWord',
    'qwertyuiop',
    'iloveyou',
    ' '.repeat(8),
    'zzzzzzzzzz',
    'mallory.buyer@example.com',
    'MALLORY.BUYER@EXAMPLE.COM',
    'mallory.buyer',
    'mallory buyer',
  ]
  for (const password of refused) {
    const res = await post(app, '/api/register', { ...base, password })
    t.equal(res.statusCode, 400, JSON.stringify(password))
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.match(res.json(), { code: 'validation_failed', errors: [{ path: 'body.password' }] })
  }
  const rows = await world.db.selectFrom('users').select('id').where('email', '=', base.email).execute()
  t.equal(rows.length, 0, 'nothing was created')
  const ok = await post(app, '/api/register', { ...base, password: 'mallory buys 2 tickets' })
  t.equal(ok.statusCode, 201, 'an uncommon passphrase is accepted')
})
