import { TcpProxy, TEST_REDIS_URL } from '@flash/test-kit'
import t from 'tap'
import { createWorld, post, startApp } from './helpers.ts'

// Issue 6 "Also": the auth rate limiter failed open when Redis was down. It must keep limiting,
// per instance, with Redis refusing connections and with Redis stalled.
const world = await createWorld(t, 'auth-ratelimit-fb')
const { hostname, port } = new URL(TEST_REDIS_URL)
const proxy = await TcpProxy.start({ host: hostname, port: Number(port || 6379) })
t.teardown(() => proxy.close())
const app = await startApp(
  t,
  world.config({
    REDIS_URL: proxy.url(TEST_REDIS_URL),
    AUTH_RATE_LIMIT_MAX: '3',
    AUTH_RATE_LIMIT_WINDOW_SECONDS: '60',
  }),
)
const wrong = { email: 'nobody@example.com', password: 'whatever1' }
const from = (ip: string) => ({ 'x-forwarded-for': ip })

for (const [fault, inject] of [
  ['refused', () => proxy.cut()],
  ['stalled', () => proxy.stall()],
] as const) {
  t.test(`Redis ${fault}: the 4th login from one IP is still 429 with Retry-After`, async (t) => {
    const ip = fault === 'refused' ? '198.51.100.1' : '198.51.100.2'
    inject()
    t.teardown(() => proxy.resume())
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await post(app, '/api/login', wrong, from(ip))).statusCode)
    t.same(statuses, [401, 401, 401, 429], 'three reach the handler, the fourth is limited')
    const limited = await post(app, '/api/login', wrong, from(ip))
    t.equal(limited.statusCode, 429)
    t.equal(limited.json().code, 'rate_limited')
    t.ok(Number(limited.headers['retry-after']) >= 1, 'Retry-After')
    t.equal((await post(app, '/api/login', wrong, from('198.51.100.9'))).statusCode, 401, 'other IPs pass')
  })
}

t.test('requests counted while Redis was healthy still count when it fails', async (t) => {
  const ip = '198.51.100.3'
  for (let i = 0; i < 3; i++) await post(app, '/api/login', wrong, from(ip))
  proxy.cut()
  t.teardown(() => proxy.resume())
  t.equal((await post(app, '/api/login', wrong, from(ip))).statusCode, 429)
})
