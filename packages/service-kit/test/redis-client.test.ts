import { Writable } from 'node:stream'
import { createTestRedisPrefix, eventually, TcpProxy, TEST_REDIS_URL } from '@flash/test-kit'
import { pino } from 'pino'
import t from 'tap'
import { createRedis, createServiceApp, logRedisErrors, redisPlugin } from '../src/index.ts'

// Redis behind a TCP proxy the tests stall and cut: what a request-path client does while Redis is
// unreachable, with real sockets.
const target = new URL(TEST_REDIS_URL)
const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 6379) })
t.teardown(() => proxy.close())
const prefix = createTestRedisPrefix(t, 'kit-redis')

t.test('commandTimeoutMs bounds every wait: a stalled or refused Redis fails the command', async (t) => {
  const app = await createServiceApp({ service: 'redis-test', logLevel: 'silent' })
  t.teardown(() => app.close())
  await app.register(redisPlugin, {
    url: proxy.url(TEST_REDIS_URL),
    keyPrefix: prefix,
    commandTimeoutMs: 100,
  })
  await app.ready()
  t.equal(await app.redis.set('k', 'v'), 'OK')

  proxy.stall()
  t.teardown(() => proxy.resume())
  await t.rejects(app.redis.get('k'), /timed out/, 'no answer on an open connection: the command fails')
  proxy.cut()
  await t.rejects(app.redis.get('k'), /timed out|Connection|closed|max retries/i, 'refused: it fails too')
  proxy.resume()
  t.ok(
    await eventually(async () => (await app.redis.get('k').catch(() => null)) === 'v', 100, 50),
    'and works again once Redis is back',
  )
})

t.test('connection errors are logged once per interval, the rest counted, never to stderr', async (t) => {
  const lines: { msg: string; context: string; suppressed: number }[] = []
  const log = pino(
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)))
        done()
      },
    }),
  )
  proxy.cut()
  t.teardown(() => proxy.resume())
  const redis = createRedis({ url: proxy.url(TEST_REDIS_URL), keyPrefix: prefix })
  t.teardown(() => redis.disconnect())
  let errors = 0
  redis.on('error', () => {
    errors += 1
  })
  logRedisErrors(redis, log, 'test client', 60_000)
  redis.connect().catch(() => {})
  t.ok(await eventually(async () => errors >= 3, 100, 50), 'reconnection keeps failing')
  t.equal(lines.length, 1, 'one line for all of them')
  t.match(lines[0], { msg: 'redis connection error', context: 'test client', suppressed: 0 })
})
