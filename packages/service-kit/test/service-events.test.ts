import { PassThrough } from 'node:stream'
import t from 'tap'
import { createServiceApp, LogSampler, ProblemError } from '../src/index.ts'

// Issue 15 items 5 and 6: refusals and shed requests are counted exactly and logged sampled, with
// who/where/outcome and never a stack trace, a password or a token.
const lines: Record<string, unknown>[] = []
const logStream = new PassThrough()
logStream.on('data', (chunk: Buffer) => {
  for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line))
})
const app = await createServiceApp({ service: 'kit-events', logLevel: 'info', logStream })
app.post('/hash', async () => {
  throw new ProblemError('overloaded', 'Too many sign-ins are being processed right now', { retryAfter: 1 })
})
app.get('/admin', async () => {
  throw new ProblemError('forbidden', 'This action requires the admin role')
})
app.get('/me', async () => {
  throw new ProblemError('unauthorized', 'A Bearer access token is required')
})
t.teardown(() => app.close())

const metric = async (name: string) => {
  const text = await (await app.inject('/metrics')).body
  return text.split('\n').filter((l) => l.startsWith(name))
}

t.test('200 shed answers: all counted, a sample logged, no stack, no "dependency failure"', async (t) => {
  const before = lines.length
  for (let i = 0; i < 200; i++) {
    const res = await app.inject({ method: 'POST', url: '/hash' })
    t.equal(res.statusCode, 503)
  }
  const written = lines.slice(before)
  t.ok(written.length < 200, `${written.length} lines for 200 shed requests`)
  t.notOk(
    written.some((l) => l.msg === 'dependency failure'),
    'a shed request is not called a dependency failure',
  )
  t.notOk(JSON.stringify(written).includes('"stack"'), 'no stack trace')
  t.match(written[0], { level: 40, msg: 'request shed: overloaded', shed: { reason: 'overloaded' } })
  t.match(await metric('requests_shed_total'), [/reason="overloaded".* 200$/])
})

t.test('401 and 403 are security events: who, where, outcome, counted', async (t) => {
  const before = lines.length
  const res = await app.inject({
    url: '/admin',
    remoteAddress: '203.0.113.9',
    headers: { authorization: 'Bearer secret-token-value' },
  })
  t.equal(res.statusCode, 403)
  await app.inject({ url: '/me' })
  const events = lines.slice(before).filter((l) => l.security)
  t.match(events, [
    {
      level: 40,
      msg: 'security event: forbidden',
      security: {
        event: 'forbidden',
        outcome: 'forbidden',
        client: '203.0.113.9',
        route: '/admin',
        method: 'GET',
      },
    },
    { security: { event: 'unauthenticated', outcome: 'unauthorized', route: '/me' } },
  ])
  t.notOk(JSON.stringify(lines).includes('secret-token-value'), 'no token in any line')
  t.match(await metric('security_events_total'), [
    /event="forbidden",outcome="forbidden".* 1$/,
    /unauthenticated/,
  ])
})

t.test('the sampler writes at most N lines a second and reports what it dropped', async (t) => {
  const sampler = new LogSampler(3)
  const dropped: number[] = []
  const admitted = Array.from({ length: 10 }, () => sampler.admit((n) => dropped.push(n), 5_000)).filter(
    Boolean,
  )
  t.equal(admitted.length, 3)
  t.ok(
    sampler.admit((n) => dropped.push(n), 6_000),
    'a new second admits again',
  )
  t.same(dropped, [7], 'and reports the 7 dropped once')
})
