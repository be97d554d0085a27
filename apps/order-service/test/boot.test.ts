import { ConfigError, loadConfig } from '@flash/config'
import { dropDatabase, ensureDatabase } from '@flash/db'
import { uniqueName } from '@flash/test-kit'
import t from 'tap'
import { buildApp } from '../src/app.ts'
import { OrderEnv } from '../src/config.ts'
import { createWorld, startApp } from './helpers.ts'

const world = await createWorld(t, 'boot')

t.test('refuses to start without a service credential, naming the variable', async (t) => {
  const { SERVICE_TOKEN: _, ...env } = world.env
  let error: unknown
  try {
    loadConfig(OrderEnv, env)
  } catch (e) {
    error = e
  }
  t.ok(error instanceof ConfigError)
  t.same((error as ConfigError).variables, ['SERVICE_TOKEN'])
  t.throws(() => loadConfig(OrderEnv, { ...world.env, SOLD_OUT_CACHE_MS: '-1' }), /SOLD_OUT_CACHE_MS/)
})

t.test('refuses to start on a database whose schema is not migrated', async (t) => {
  const url = `${world.env.DATABASE_URL!.replace(/\/[^/]+$/, '/')}${uniqueName('empty')}`
  await ensureDatabase(url)
  t.teardown(() => dropDatabase(url))
  await t.rejects(
    buildApp(world.config({ DATABASE_URL: url }), { logLevel: 'silent' }),
    /schema does not match/,
  )
})

t.test('health, readiness, metrics and OpenAPI', async (t) => {
  const app = await startApp(t, world.config())
  t.same((await app.inject('/health')).json(), { status: 'ok' })
  const ready = await app.inject('/ready')
  t.equal(ready.statusCode, 200, ready.body)
  t.same(ready.json().checks, { mysql: 'up', redis: 'up', inventory: 'up', sqs: 'up' })
  const metrics = await app.inject('/metrics')
  t.match(metrics.body, /order_inventory_reserve_calls_total/)
  const doc = (await app.inject('/docs/json')).json()
  t.ok(doc.paths['/api/orders']?.post, 'POST /api/orders documented')
  t.ok(doc.paths['/api/orders/{order_uuid}']?.get, 'GET /api/orders/{order_uuid} documented')
  t.ok(doc.paths['/api/orders']?.post?.responses?.['202'])
})

t.test('readiness reports an unreachable inventory', async (t) => {
  const app = await startApp(t, world.config({ INVENTORY_URL: 'http://127.0.0.1:9' }))
  const ready = await app.inject('/ready')
  t.equal(ready.statusCode, 503)
  t.equal(ready.json().checks.inventory, 'down')
})
