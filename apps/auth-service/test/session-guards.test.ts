import { sql } from 'kysely'
import t from 'tap'
import { createWorld, decodePart, me, post, register, startApp } from './helpers.ts'

// Issue 13 item 6 and issue 15 item 7: what a refresh-token family may never do.
const world = await createWorld(t, 'auth-session-guards')
const app = await startApp(t, world.config({ REFRESH_FAMILY_MAX_AGE_SECONDS: String(30 * 86_400) }))
const refresh = (token: string) => post(app, '/api/refresh', { refresh_token: token })
// created_at is insert-only in the schema types; a test ages a family by hand.
const backdate = (familyId: string, at: Date) =>
  sql`UPDATE refresh_tokens SET created_at = ${at} WHERE family_id = ${familyId}`.execute(world.db)
const familyRows = (familyId: string) =>
  world.db.selectFrom('refresh_tokens').selectAll().where('family_id', '=', familyId).execute()

t.test('a reuse whose session revocation fails revokes nothing; the retry revokes both', async (t) => {
  const s = await register(app)
  const rotated = (await refresh(s.refresh_token)).json()
  t.equal((await me(app, rotated.access_token)).statusCode, 200)

  // A real MySQL failure of the `revocations` write, the second write of a reuse.
  await sql`CREATE TRIGGER refuse_revocations BEFORE INSERT ON revocations FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected revocations failure'`.execute(world.db)
  let dropped = false
  const drop = async () => {
    if (!dropped) await sql`DROP TRIGGER refuse_revocations`.execute(world.db)
    dropped = true
  }
  t.teardown(drop)

  const failed = await refresh(s.refresh_token)
  t.equal(failed.statusCode, 503, 'the reuse could not be recorded: 503, retry')
  t.equal(failed.headers['retry-after'], '1')
  const rows = await familyRows(decodePart(s.access_token, 1).sid)
  t.ok(
    rows.every((r) => r.revoked_at === null),
    'the family is not revoked without its access tokens',
  )
  await drop()

  const retried = await refresh(s.refresh_token)
  t.equal(retried.statusCode, 401, 'the retry detects the reuse')
  const thief = await me(app, rotated.access_token)
  t.equal(thief.statusCode, 401, "the family's access token is refused")
  t.equal(thief.json().code, 'token_revoked')
})

t.test('a family has an absolute lifetime, however often it rotates', async (t) => {
  const s = await register(app)
  const sid = decodePart(s.access_token, 1).sid
  const day = 86_400_000
  // The login is 29 days old: a rotation's token may not outlive day 30.
  await backdate(sid, new Date(Date.now() - 29 * day))
  const young = await refresh(s.refresh_token)
  t.equal(young.statusCode, 200)
  const newest = (await familyRows(sid)).find((r) => r.rotated_at === null)!
  t.ok(newest.expires_at.getTime() <= Date.now() + day + 1_000, 'capped at the family deadline')

  // Now 31 days old: every token of it is refused, even one whose own expiry is ahead.
  await backdate(sid, new Date(Date.now() - 31 * day))
  await world.db
    .updateTable('refresh_tokens')
    .set({ expires_at: new Date(Date.now() + day) })
    .where('family_id', '=', sid)
    .execute()
  const old = await refresh(young.json().refresh_token)
  t.equal(old.statusCode, 401)
  t.equal(old.json().code, 'invalid_refresh_token')
})
