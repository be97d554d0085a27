import { createHash, randomBytes, scryptSync } from 'node:crypto'
import t from 'tap'
import { createWorld, decodePart, me, newUser, post, register, startApp } from './helpers.ts'

const world = await createWorld(t, 'auth-register')
const app = await startApp(t, world.config())

t.test('register → 201 with the user and a working token pair', async (t) => {
  const body = newUser({ name: '  Ada Lovelace  ', email: 'Ada.Lovelace@Example.COM' })
  const res = await post(app, '/api/register', body)
  t.equal(res.statusCode, 201)
  const created = res.json()
  t.match(created, {
    user: { id: Number, name: 'Ada Lovelace', email: 'ada.lovelace@example.com', role: 'customer' },
    token_type: 'Bearer',
    expires_in: 900,
  })
  t.match(created.refresh_token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url')

  const header = decodePart(created.access_token, 0)
  const claims = decodePart(created.access_token, 1)
  t.match(header, { alg: 'EdDSA', kid: 'test-key' })
  t.match(claims, {
    sub: String(created.user.id),
    role: 'customer',
    jti: /^[0-9a-f-]{36}$/,
    sid: /^[0-9a-f-]{36}$/,
    iss: 'flash-sale-auth',
    aud: 'flash-sale-api',
  })
  t.equal(claims.exp - claims.iat, 900, 'access token lives ACCESS_TOKEN_TTL_SECONDS')

  const row = await world.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', created.user.id)
    .executeTakeFirstOrThrow()
  t.equal(row.email, 'ada.lovelace@example.com', 'stored lower-cased')
  t.match(
    row.password_hash,
    /^\$argon2id\$v=19\$m=1024,t=1,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/,
    'argon2id, params in the hash',
  )
  t.notMatch(row.password_hash, body.password)

  const token = await world.db
    .selectFrom('refresh_tokens')
    .selectAll()
    .where('user_id', '=', created.user.id)
    .executeTakeFirstOrThrow()
  t.equal(token.token_hash, createHash('sha256').update(created.refresh_token).digest('hex'), 'only the hash')
  t.equal(token.family_id, claims.sid, 'the access token names its refresh family')

  const profile = await me(app, created.access_token)
  t.equal(profile.statusCode, 200)
  t.same(profile.json(), created.user)
})

t.test('login → 200 token pair; email is case-insensitive', async (t) => {
  const s = await register(app)
  const res = await post(app, '/api/login', { email: s.user.email.toUpperCase(), password: s.password })
  t.equal(res.statusCode, 200)
  const pair = res.json()
  t.match(pair, { token_type: 'Bearer', expires_in: 900, access_token: String, refresh_token: String })
  t.notOk('user' in pair, 'login answers the token fields only')
  t.not(decodePart(pair.access_token, 1).sid, decodePart(s.access_token, 1).sid, 'a new session family')
  t.same((await me(app, pair.access_token)).json(), s.user)
})

t.test('limits are inclusive at the edges', async (t) => {
  const local = 'a'.repeat(64)
  const domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`
  const email = `${local}@${domain}`
  t.equal(email.length, 254)
  const res = await post(app, '/api/register', {
    name: 'n'.repeat(100),
    email,
    password: 'pq'.repeat(64),
  })
  t.equal(res.statusCode, 201, res.body)
  const short = await post(app, '/api/register', newUser({ name: 'é', password: 'k3x!q9Zw' }))
  t.equal(short.statusCode, 201, 'one-character name, 8-character password')
})

t.test('duplicate email, whatever its case → 409 email_taken, one row', async (t) => {
  const s = await register(app)
  for (const email of [s.user.email, s.user.email.toUpperCase()]) {
    const res = await post(app, '/api/register', newUser({ email }))
    t.equal(res.statusCode, 409)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.match(res.json(), { code: 'email_taken', status: 409, title: String, detail: String, type: String })
  }
  const rows = await world.db.selectFrom('users').select('id').where('email', '=', s.user.email).execute()
  t.equal(rows.length, 1)
})

t.test('concurrent registrations of one email: exactly one 201, the others 409', async (t) => {
  const base = newUser()
  const variants = [
    base.email,
    base.email.toUpperCase(),
    base.email,
    `${base.email[0]!.toUpperCase()}${base.email.slice(1)}`,
  ]
  const results = await Promise.all(variants.map((email) => post(app, '/api/register', { ...base, email })))
  const statuses = results.map((r) => r.statusCode).sort()
  t.same(statuses, [201, 409, 409, 409])
  for (const r of results.filter((r) => r.statusCode === 409)) t.equal(r.json().code, 'email_taken')
  const rows = await world.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', base.email.toLowerCase())
    .execute()
  t.equal(rows.length, 1)
})

t.test('wrong password and unknown email → the same 401 invalid_credentials', async (t) => {
  const s = await register(app)
  const wrong = await post(app, '/api/login', { email: s.user.email, password: 'not the password' })
  const unknown = await post(app, '/api/login', { email: 'nobody@example.com', password: s.password })
  for (const res of [wrong, unknown]) {
    t.equal(res.statusCode, 401)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.equal(res.json().code, 'invalid_credentials')
  }
  const strip = (body: Record<string, unknown>) => ({ ...body, request_id: undefined })
  t.same(strip(wrong.json()), strip(unknown.json()), 'indistinguishable answers')
})

t.test('a hash made with an older cost is upgraded at the next login', async (t) => {
  const s = await register(app)
  const stronger = await startApp(t, world.config({ PASSWORD_HASH_MEMORY_KIB: '2048' }))
  const res = await post(stronger, '/api/login', { email: s.user.email, password: s.password })
  t.equal(res.statusCode, 200)
  const row = await world.db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', s.user.id)
    .executeTakeFirstOrThrow()
  t.match(row.password_hash, /^\$argon2id\$v=19\$m=2048,t=1,p=1\$/)
  t.equal((await post(app, '/api/login', { email: s.user.email, password: s.password })).statusCode, 200)
  const after = await world.db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', s.user.id)
    .executeTakeFirstOrThrow()
  t.equal(after.password_hash, row.password_hash, 'an instance with a lower cost never downgrades it')
})

t.test('an scrypt hash from before argon2id still logs in and is rehashed to argon2id', async (t) => {
  const s = await register(app)
  // The format the service wrote before (scrypt N=2^10, r=8, p=1), made here with node:crypto.
  const salt = randomBytes(16)
  const key = scryptSync(s.password, salt, 32, { N: 1024, r: 8, p: 1 })
  const legacy = ['scrypt', 1024, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$')
  await world.db.updateTable('users').set({ password_hash: legacy }).where('id', '=', s.user.id).execute()

  const res = await post(app, '/api/login', { email: s.user.email, password: s.password })
  t.equal(res.statusCode, 200, 'the old hash verifies')
  const row = await world.db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', s.user.id)
    .executeTakeFirstOrThrow()
  t.match(row.password_hash, /^\$argon2id\$/, 'and was replaced by an argon2id hash')
  t.equal((await post(app, '/api/login', { email: s.user.email, password: s.password })).statusCode, 200)
  t.equal(
    (await post(app, '/api/login', { email: s.user.email, password: 'wrong password' })).statusCode,
    401,
  )
})
