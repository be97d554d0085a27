import t from 'tap'
import { createServiceApp, healthPlugin } from '../src/index.ts'

/** Blocks the event loop, as a CPU-bound overload does. */
function block(ms: number) {
  const until = Date.now() + ms
  while (Date.now() < until) {}
}

t.test(
  'an overloaded instance answers 503 overloaded + Retry-After, except /health and /metrics',
  async (t) => {
    const app = await createServiceApp({
      service: 'shed-test',
      logLevel: 'silent',
      shedding: {
        maxEventLoopDelayMs: 20,
        maxEventLoopUtilization: 0,
        sampleIntervalMs: 50,
        retryAfterSeconds: 3,
      },
    })
    await app.register(healthPlugin, { checks: {} })
    app.get('/work', async () => ({ done: true }))
    t.teardown(() => app.close())
    await app.ready()
    // Building the app (and other test files running in parallel) may lag the loop at first: wait for a calm sample.
    for (let i = 0; i < 100 && app.isUnderPressure(); i++)
      await new Promise((resolve) => setTimeout(resolve, 50))
    t.equal((await app.inject('/work')).statusCode, 200, 'not shed while the loop is calm')

    // Keep the loop blocked for several samples, then ask at once: the sample saw the delay.
    let shed: Awaited<ReturnType<typeof app.inject>> | undefined
    for (let i = 0; i < 20 && !shed; i++) {
      for (let j = 0; j < 5; j++) {
        block(60)
        await new Promise((resolve) => setImmediate(resolve))
      }
      const res = await app.inject({ url: '/work', headers: { 'x-request-id': 'req-shed' } })
      if (res.statusCode === 503) shed = res
    }
    t.ok(shed, 'shed while the event loop lags')
    t.match(String(shed?.headers['content-type']), /^application\/problem\+json/)
    t.equal(shed?.headers['retry-after'], '3')
    t.equal(shed?.headers['x-request-id'], 'req-shed')
    t.match(shed?.json(), { status: 503, code: 'overloaded', request_id: 'req-shed' })
    t.equal((await app.inject('/health')).statusCode, 200, '/health answers under pressure')
    t.equal((await app.inject('/metrics')).statusCode, 200, '/metrics answers under pressure')
    t.equal(app.isUnderPressure(), true, 'still under pressure: the exemptions were tested, not luck')
  },
)

t.test('shedding can be turned off', async (t) => {
  const app = await createServiceApp({
    service: 'shed-off',
    logLevel: 'silent',
    shedding: {
      maxEventLoopDelayMs: 0,
      maxEventLoopUtilization: 0,
      sampleIntervalMs: 50,
      retryAfterSeconds: 1,
    },
  })
  t.teardown(() => app.close())
  await app.ready()
  t.equal(app.hasDecorator('isUnderPressure'), false)
})
