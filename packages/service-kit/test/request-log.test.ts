import { Writable } from 'node:stream'
import t, { type Test } from 'tap'
import { createServiceApp, ProblemError } from '../src/index.ts'

/** A log destination the test can read: one parsed object per line. */
function capture() {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line))
      callback()
    },
  })
  return { lines, stream }
}

/**
 * `slowMs` is far above anything a loaded CI host makes of an inject unless a test is about slowness:
 * a /fast answer that took 60 ms on a busy machine must not turn into a "slow request" line.
 */
async function build(t: Test, logLevel: string, { maxLinesPerSecond = 50, slowMs = 60_000 } = {}) {
  const { lines, stream } = capture()
  const app = await createServiceApp({
    service: 'log-test',
    logLevel,
    logStream: stream,
    requestLog: { slowMs, maxLinesPerSecond },
  })
  app.get('/fast', async (_request, reply) => reply.code(409).send({ sold_out: true }))
  app.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 80))
    return { ok: true }
  })
  app.get('/boom', async () => {
    throw new Error('kaput')
  })
  app.get('/shed', async () => {
    throw new ProblemError('overloaded', 'Too busy right now', { retryAfter: 1 })
  })
  app.get('/chatty', async (request) => {
    request.log.info({ step: 1 }, 'handler line')
    request.log.child({ part: 'inner' }).warn('child line')
    request.log.debug('not at info')
    return { ok: true }
  })
  app.get('/quiet', { logLevel: 'silent' }, async (request) => {
    request.log.error('never written')
    throw new Error('silenced route')
  })
  t.teardown(() => app.close())
  return { app, lines }
}

const requestLines = (lines: Record<string, unknown>[]) => lines.filter((l) => 'reqId' in l)

t.test('at info, ordinary answers (4xx included) write nothing', async (t) => {
  const { app, lines } = await build(t, 'info')
  for (let i = 0; i < 20; i++) await app.inject('/fast')
  await app.inject('/nowhere')
  t.same(requestLines(lines), [])
})

t.test('5xx and slow requests are logged with their request id', async (t) => {
  // /slow sleeps 80 ms: above a 50 ms threshold however fast or slow the host is.
  const { app, lines } = await build(t, 'info', { slowMs: 50 })
  await app.inject({ url: '/boom', headers: { 'x-request-id': 'req-boom' } })
  await app.inject({ url: '/slow', headers: { 'x-request-id': 'req-slow' } })
  const failed = lines.find((l) => l.msg === 'request failed')
  t.equal(failed?.reqId, 'req-boom')
  t.match(failed, { level: 50, res: { statusCode: 500 }, req: { method: 'GET', url: '/boom' } })
  const slow = lines.find((l) => l.msg === 'slow request')
  t.equal(slow?.reqId, 'req-slow')
  t.match(slow, { level: 40, res: { statusCode: 200 } })
  t.ok(Number(slow?.responseTime) >= 50)
  t.ok(
    requestLines(lines).every((l) => typeof l.reqId === 'string'),
    'every line about a request names it',
  )
})

t.test(
  "a handler's own lines (and its child logger's) carry the request id; route log levels hold",
  async (t) => {
    const { app, lines } = await build(t, 'info')
    await app.inject({ url: '/chatty', headers: { 'x-request-id': 'req-chat' } })
    await app.inject({ url: '/quiet', headers: { 'x-request-id': 'req-quiet' } })
    t.match(
      lines.find((l) => l.msg === 'handler line'),
      { reqId: 'req-chat', step: 1, level: 30 },
    )
    t.match(
      lines.find((l) => l.msg === 'child line'),
      { reqId: 'req-chat', part: 'inner', level: 40 },
    )
    t.notOk(lines.some((l) => l.msg === 'not at info'))
    t.notOk(
      lines.some((l) => l.reqId === 'req-quiet'),
      "a silent route's logger writes nothing",
    )
  },
)

t.test('a shed 503 is one sampled "request shed" line, not also a "request failed" error', async (t) => {
  const { app, lines } = await build(t, 'info')
  const res = await app.inject({ url: '/shed', headers: { 'x-request-id': 'req-shed' } })
  t.equal(res.statusCode, 503)
  t.same(
    lines.filter((l) => l.reqId === 'req-shed').map((l) => [l.level, l.msg]),
    [[40, 'request shed: overloaded']],
  )
})

t.test('at debug every request is logged, as Fastify does by default', async (t) => {
  const { app, lines } = await build(t, 'debug')
  await app.inject({ url: '/fast', headers: { 'x-request-id': 'req-1' } })
  t.same(
    requestLines(lines).map((l) => [l.msg, l.reqId]),
    [
      ['incoming request', 'req-1'],
      ['request completed', 'req-1'],
    ],
  )
})

t.test('a storm of failures is capped per second and the rest summarised', async (t) => {
  // The cap is per wall-clock second: ten failures must land within one. Start each try just after a
  // second begins; on a host so loaded that ten injects still straddle a second, try again (bounded).
  for (let attempt = 1; attempt <= 5; attempt++) {
    const { app, lines } = await build(t, 'info', { maxLinesPerSecond: 3 })
    await new Promise((resolve) => setTimeout(resolve, 1_005 - (Date.now() % 1000)))
    const start = Math.floor(Date.now() / 1000)
    for (let i = 0; i < 10; i++) await app.inject('/boom')
    if (Math.floor(Date.now() / 1000) !== start) continue
    t.equal(lines.filter((l) => l.msg === 'request failed').length, 3)
    // The next second's first line reports what was dropped.
    await new Promise((resolve) => setTimeout(resolve, 1_050 - (Date.now() % 1000)))
    await app.inject('/boom')
    t.match(
      lines.find((l) => l.msg === 'request lines suppressed in the last second(s)'),
      { suppressed: 7 },
    )
    return
  }
  t.fail('ten injects never fitted in one second in five tries')
})
