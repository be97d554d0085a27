import fp from 'fastify-plugin'
import t from 'tap'
import { createServiceApp, healthPlugin, Readiness, readinessOf } from '../src/index.ts'

t.test("/ready asks every check the app's plugins registered, before and after healthPlugin", async (t) => {
  const app = await createServiceApp({ service: 'readiness-test', logLevel: 'silent' })
  t.teardown(() => app.close())
  let queueUp = true
  await app.register(
    fp(async (app) => readinessOf(app).add('mysql', async () => 1), { name: 'early-client' }),
  )
  await app.register(healthPlugin, { checks: { workers: async () => 1 } })
  await app.register(
    fp(
      async (app) =>
        readinessOf(app).add('queue', async () => (queueUp ? 1 : Promise.reject(new Error('down')))),
      { name: 'late-client' },
    ),
  )
  const ready = await app.inject('/ready')
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), { status: 'ready', checks: { mysql: 'up', queue: 'up', workers: 'up' } })
  queueUp = false
  const down = await app.inject('/ready')
  t.equal(down.statusCode, 503)
  t.same(down.json().checks, { mysql: 'up', queue: 'down', workers: 'up' })
})

t.test('one name, one check: a second client under the same name is refused', async (t) => {
  const readiness = new Readiness()
  readiness.add('redis', async () => 1)
  t.throws(() => readiness.add('redis', async () => 1), /redis/)
  t.same(
    readiness.entries().map(([name]) => name),
    ['redis'],
  )
})
