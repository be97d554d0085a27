import { Redis } from 'ioredis'
import { TEST_REDIS_URL } from '@flash/test-kit'
import t from 'tap'
import { createWorld, post, startApp } from './helpers.ts'

const world = await createWorld(t, 'auth-ratelimit')
const config = world.config({ AUTH_RATE_LIMIT_MAX: '3', AUTH_RATE_LIMIT_WINDOW_SECONDS: '60' })
const app = await startApp(t, config)
const wrong = { email: 'nobody@example.com', password: 'whatever1' }
const from = (ip: string) => ({ 'x-forwarded-for': ip })

t.test('the 4th login from one IP within the window → 429 problem+json with Retry-After', async (t) => {
  for (let i = 1; i <= 3; i++) {
    const res = await post(app, '/api/login', wrong, from('203.0.113.1'))
    t.equal(res.statusCode, 401, `attempt ${i} reaches the handler`)
    t.equal(res.headers['x-ratelimit-remaining'], String(3 - i))
  }
  const limited = await post(app, '/api/login', wrong, from('203.0.113.1'))
  t.equal(limited.statusCode, 429)
  t.match(limited.headers['content-type'], /^application\/problem\+json/)
  t.match(limited.json(), { code: 'rate_limited', status: 429, title: String, detail: String })
  const retryAfter = Number(limited.headers['retry-after'])
  t.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`)

  t.equal(
    (await post(app, '/api/login', wrong, from('203.0.113.2'))).statusCode,
    401,
    'another IP is not limited',
  )
  t.equal(
    (await app.inject({ url: '/.well-known/jwks.json', headers: from('203.0.113.1') })).statusCode,
    200,
    'non-credential routes are not limited',
  )
})

t.test('the count is shared by every instance through Redis', async (t) => {
  const other = await startApp(t, config)
  for (let i = 0; i < 3; i++) await post(app, '/api/login', wrong, from('203.0.113.3'))
  const res = await post(other, '/api/login', wrong, from('203.0.113.3'))
  t.equal(res.statusCode, 429)

  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const keys = await redis.keys(`${world.prefix}auth:rate:*`)
  t.ok(keys.length > 0, 'counters live under the service key prefix')
})

t.test('register and refresh are limited too, rejected before any work is done', async (t) => {
  for (const [url, body] of [
    ['/api/register', { name: 'x', email: 'rl@example.com', password: 'long enough' }],
    ['/api/refresh', { refresh_token: 'x'.repeat(43) }],
  ] as const) {
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await post(app, url, body, from('203.0.113.4'))).statusCode)
    t.equal(statuses[3], 429, `${url} ${statuses.join(',')}`)
  }
  const users = await world.db.selectFrom('users').select('id').execute()
  t.equal(users.length, 1, 'one registration got through; the rest were refused')
})
