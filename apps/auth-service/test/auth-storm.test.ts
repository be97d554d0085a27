import t, { type Test } from 'tap'
import { createWorld, newUser, post, startApp } from './helpers.ts'

// Issue 9: an auth storm must be served or shed at once (503 + Retry-After), never queued for
// tens of seconds. Production-cost hashes, one hashing slot and a queue of two make the bound visible.
const world = await createWorld(t, 'auth-storm')
const app = await startApp(
  t,
  world.config({
    PASSWORD_HASH_MEMORY_KIB: '19456',
    PASSWORD_HASH_PASSES: '2',
    PASSWORD_HASH_CONCURRENCY: '1',
    PASSWORD_HASH_QUEUE_MAX: '2',
    PASSWORD_HASH_MAX_WAIT_MS: '30000',
  }),
)
const users = Array.from({ length: 12 }, () => newUser())

const checkShed = (t: Test, res: Awaited<ReturnType<typeof post>>) => {
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.match(res.json(), { code: 'overloaded', status: 503 })
  t.ok(Number(res.headers['retry-after']) >= 1, 'Retry-After')
}

t.test('a burst of registrations beyond the hashing queue: served or shed, nothing half-made', async (t) => {
  const answers = await Promise.all(users.map((u) => post(app, '/api/register', u)))
  const served = answers.filter((r) => r.statusCode === 201).length
  const shed = answers.filter((r) => r.statusCode === 503)
  t.equal(served + shed.length, users.length, `served ${served}, shed ${shed.length}, nothing else`)
  t.ok(served >= 1 && served <= 3, 'at most one running and two queued were served')
  t.ok(shed.length >= users.length - 3)
  for (const res of shed) checkShed(t, res)
  const rows = await world.db.selectFrom('users').select('id').execute()
  t.equal(rows.length, served, 'a shed registration left no account behind')
  const sessions = await world.db.selectFrom('refresh_tokens').select('id').execute()
  t.equal(sessions.length, served, 'and no session')

  // A polite client retries; one at a time every user gets in.
  for (const [i, res] of answers.entries()) {
    if (res.statusCode === 503) t.equal((await post(app, '/api/register', users[i])).statusCode, 201)
  }
})

t.test('a burst of logins is bounded the same way, and every user gets in on retry', async (t) => {
  const login = (u: (typeof users)[number]) =>
    post(app, '/api/login', { email: u.email, password: u.password })
  const answers = await Promise.all(users.map(login))
  const shed = answers.filter((r) => r.statusCode === 503)
  t.equal(answers.filter((r) => r.statusCode === 200).length + shed.length, users.length)
  t.ok(shed.length >= 1, 'some were shed')
  for (const res of shed) checkShed(t, res)
  for (const [i, res] of answers.entries()) {
    if (res.statusCode === 503) t.equal((await login(users[i]!)).statusCode, 200)
  }
})
