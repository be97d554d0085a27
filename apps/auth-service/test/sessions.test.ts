import { randomBytes } from 'node:crypto'
import t from 'tap'
import { bearer, createWorld, decodePart, eventually, me, post, register, startApp } from './helpers.ts'

const world = await createWorld(t, 'auth-sessions')
const app = await startApp(t, world.config())

const refresh = (refreshToken: string, target = app) =>
  post(target, '/api/refresh', { refresh_token: refreshToken })
const logout = (token: string, target = app) => post(target, '/api/logout', undefined, bearer(token))

const familyRows = (familyId: string) =>
  world.db.selectFrom('refresh_tokens').selectAll().where('family_id', '=', familyId).execute()

t.test('refresh rotates: a new pair each time, the old refresh token dead', async (t) => {
  const s = await register(app)
  const first = await refresh(s.refresh_token)
  t.equal(first.statusCode, 200)
  const pair = first.json()
  t.match(pair, { token_type: 'Bearer', expires_in: 900 })
  t.not(pair.refresh_token, s.refresh_token)
  t.not(pair.access_token, s.access_token)
  t.equal(decodePart(pair.access_token, 1).sid, decodePart(s.access_token, 1).sid, 'same session family')
  t.same((await me(app, pair.access_token)).json(), s.user)

  const second = await refresh(pair.refresh_token)
  t.equal(second.statusCode, 200, 'the newest token rotates again')
  const rows = await familyRows(decodePart(s.access_token, 1).sid)
  t.equal(rows.length, 3)
  t.equal(rows.filter((r) => r.rotated_at === null).length, 1, 'exactly one live token per family')
  t.equal((await refresh(s.refresh_token)).statusCode, 401, 'the first refresh token is dead')
})

t.test('reuse of a rotated refresh token → 401 and the whole family revoked', async (t) => {
  const s = await register(app)
  const sid = decodePart(s.access_token, 1).sid
  const rotated = (await refresh(s.refresh_token)).json()
  t.equal((await me(app, rotated.access_token)).statusCode, 200)

  const replay = await refresh(s.refresh_token)
  t.equal(replay.statusCode, 401)
  t.match(replay.headers['content-type'], /^application\/problem\+json/)
  t.equal(replay.json().code, 'invalid_refresh_token')

  t.equal((await refresh(rotated.refresh_token)).statusCode, 401, 'the newer refresh token is dead too')
  const newest = await me(app, rotated.access_token)
  t.equal(newest.statusCode, 401, "the family's newest access token is refused")
  t.equal(newest.json().code, 'token_revoked')
  t.equal((await me(app, s.access_token)).statusCode, 401, 'and its first one')
  const rows = await familyRows(sid)
  t.ok(rows.length === 2 && rows.every((r) => r.revoked_at !== null), 'every refresh row revoked in MySQL')

  const other = await post(app, '/api/login', { email: s.user.email, password: s.password })
  t.equal((await me(app, other.json().access_token)).statusCode, 200, "the user's other sessions live on")
})

t.test('concurrent refreshes with one token: exactly one succeeds', async (t) => {
  const s = await register(app)
  const sid = decodePart(s.access_token, 1).sid
  const results = await Promise.all(Array.from({ length: 5 }, () => refresh(s.refresh_token)))
  t.same(results.map((r) => r.statusCode).sort(), [200, 401, 401, 401, 401])
  const rows = await familyRows(sid)
  t.equal(rows.length, 2, 'one rotation happened, not two')
  // The loser presented an already-rotated token: by the reuse rule the family is now dead.
  t.ok(rows.every((r) => r.revoked_at !== null))
})

t.test('unknown, expired and logged-out refresh tokens → 401', async (t) => {
  t.equal((await refresh(randomBytes(32).toString('base64url'))).statusCode, 401, 'unknown')

  const s = await register(app)
  await world.db
    .updateTable('refresh_tokens')
    .set({ expires_at: new Date(Date.now() - 1000) })
    .where('family_id', '=', decodePart(s.access_token, 1).sid)
    .execute()
  const expired = await refresh(s.refresh_token)
  t.equal(expired.statusCode, 401, 'expired')
  t.equal(expired.json().code, 'invalid_refresh_token')

  const l = await register(app)
  t.equal((await logout(l.access_token)).statusCode, 204)
  t.equal((await refresh(l.refresh_token)).statusCode, 401, 'family ended by logout')
})

t.test('logout → 204; the token, its family and its refresh token are dead', async (t) => {
  const s = await register(app)
  const sibling = (await refresh(s.refresh_token)).json()
  const otherSession = (await post(app, '/api/login', { email: s.user.email, password: s.password })).json()

  const res = await logout(sibling.access_token)
  t.equal(res.statusCode, 204)
  t.equal(res.body, '')
  const after = await me(app, sibling.access_token)
  t.equal(after.statusCode, 401)
  t.equal(after.json().code, 'token_revoked')
  t.equal((await me(app, s.access_token)).statusCode, 401, 'older access token of the family too')
  t.equal((await refresh(sibling.refresh_token)).statusCode, 401, 'its refresh token')
  t.equal((await logout(sibling.access_token)).statusCode, 204, 'logging out twice is a no-op (a safe retry)')
  t.equal(
    (await me(app, otherSession.access_token)).statusCode,
    200,
    'another login of the user is untouched',
  )
  t.equal((await logout('')).statusCode, 401, 'no token, no logout')
})

t.test('logout is refused on another instance too (shared Redis, pub/sub)', async (t) => {
  const other = await startApp(t, world.config())
  const s = await register(app)
  t.equal((await me(other, s.access_token)).statusCode, 200, 'valid (and cached) on the other instance')

  t.equal((await logout(s.access_token)).statusCode, 204)
  // Delivery is asynchronous: wait, bounded, for the other instance to hear of it.
  const refused = await eventually(async () => (await me(other, s.access_token)).statusCode === 401)
  t.ok(refused, 'refused on the second instance')
  t.equal((await me(other, s.access_token)).json().code, 'token_revoked')

  const late = await startApp(t, world.config())
  t.equal((await me(late, s.access_token)).statusCode, 401, 'an instance started later loads the list')
})

t.test('reuse detected on one instance kills the family on another', async (t) => {
  const other = await startApp(t, world.config())
  const s = await register(app)
  const rotated = (await refresh(s.refresh_token, other)).json()
  t.equal((await me(other, rotated.access_token)).statusCode, 200)
  t.equal((await refresh(s.refresh_token, app)).statusCode, 401, 'replayed at the first instance')
  t.ok(await eventually(async () => (await me(other, rotated.access_token)).statusCode === 401))
})

t.test(
  'with Redis disconnected, logout still ends the session (MySQL decides) and reuse is refused',
  async (t) => {
    const cut = await startApp(t, world.config())
    const s = await register(cut)
    const rotated = (await refresh(s.refresh_token, cut)).json()
    cut.redis.disconnect()

    t.equal((await logout(rotated.access_token, cut)).statusCode, 204, 'durable in MySQL: done')
    t.equal((await me(cut, rotated.access_token)).statusCode, 401, 'refused here at once')
    t.ok(cut.revocations.unpublished > 0, 'the push through Redis waits for Redis')
    const replay = await refresh(s.refresh_token, cut)
    t.equal(replay.statusCode, 401, 'reuse still refused (MySQL decides)')
    t.equal((await refresh(rotated.refresh_token, app)).statusCode, 401, 'and the family is dead in MySQL')
    const late = await startApp(t, world.config())
    t.equal((await me(late, rotated.access_token)).statusCode, 401, 'a new instance loads it from MySQL')
  },
)

t.test('a token of a deleted account no longer reads /api/me', async (t) => {
  const s = await register(app)
  await world.db.deleteFrom('users').where('id', '=', s.user.id).execute()
  const res = await me(app, s.access_token)
  t.equal(res.statusCode, 401)
  t.equal(res.json().code, 'unauthorized')
  t.equal((await refresh(s.refresh_token)).statusCode, 401, 'its refresh tokens went with it')
})
