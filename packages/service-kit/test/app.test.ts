import t, { type Test } from 'tap'
import { Type } from 'typebox'
import { createServiceApp, healthPlugin, ProblemError } from '../src/index.ts'

async function build(t: Test, ready = true) {
  const app = await createServiceApp({ service: 'kit-test', logLevel: 'silent', bodyLimit: 1024 })
  await app.register(healthPlugin, {
    checks: { mysql: async () => (ready ? 1 : Promise.reject(new Error('down'))), redis: async () => 1 },
  })
  app.post(
    '/echo',
    { schema: { body: Type.Object({ n: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }) } },
    async (request) => request.body,
  )
  app.get('/boom', async () => {
    throw new Error('secret database password in this message')
  })
  app.get('/busy', async () => {
    throw new ProblemError('dependency_unavailable', 'Redis is down', { retryAfter: 2 })
  })
  t.teardown(() => app.close())
  return app
}

const isProblem = (
  t: Test,
  res: { headers: Record<string, unknown>; json: () => Record<string, unknown> & { errors?: unknown } },
  status: number,
  code: string,
) => {
  t.match(String(res.headers['content-type']), /^application\/problem\+json/)
  const body = res.json()
  t.equal(body.status, status)
  t.equal(body.code, code)
  t.type(body.title, 'string')
  t.type(body.detail, 'string')
  t.match(body.type, /^https:\/\//)
}

t.test('client mistakes are 4xx problem+json', async (t) => {
  const app = await build(t)
  const post = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/echo', payload, headers: { 'content-type': contentType } })

  let res = await post('{"n": ')
  t.equal(res.statusCode, 400)
  isProblem(t, res, 400, 'malformed_json')

  res = await post('n=1', 'application/x-www-form-urlencoded')
  t.equal(res.statusCode, 415)
  isProblem(t, res, 415, 'unsupported_media_type')

  res = await post(JSON.stringify({ n: 1, pad: 'x'.repeat(2000) }))
  t.equal(res.statusCode, 413)
  isProblem(t, res, 413, 'payload_too_large')

  res = await post(JSON.stringify({ n: 0 }))
  t.equal(res.statusCode, 400)
  isProblem(t, res, 400, 'validation_failed')
  t.match(res.json().errors, [{ path: 'body.n' }])

  res = await post(JSON.stringify({ n: 1, extra: true }))
  t.equal(res.statusCode, 400, 'unknown fields are refused, not silently dropped')

  res = await app.inject({ method: 'GET', url: '/nowhere?x=1' })
  isProblem(t, res, 404, 'not_found')
  t.equal(res.json().instance, '/nowhere')
})

t.test('a crash is a 500 that leaks nothing', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/boom' })
  isProblem(t, res, 500, 'internal_error')
  t.notMatch(res.body, /secret|password|stack/)
})

t.test('dependency problems carry Retry-After', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/busy' })
  isProblem(t, res, 503, 'dependency_unavailable')
  t.equal(res.headers['retry-after'], '2')
})

t.test('x-request-id is honoured, returned and generated when absent or unsafe', async (t) => {
  const app = await build(t)
  let res = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } })
  t.equal(res.headers['x-request-id'], 'abc-123')
  res = await app.inject({
    method: 'GET',
    url: '/nowhere',
    headers: { 'x-request-id': 'bad id\nwith newline' },
  })
  t.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/)
  t.equal(res.json().request_id, res.headers['x-request-id'])
})

t.test('health, readiness, metrics and docs', async (t) => {
  const app = await build(t)
  t.same((await app.inject('/health')).json(), { status: 'ok' })
  const ready = await app.inject('/ready')
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), { status: 'ready', checks: { mysql: 'up', redis: 'up' } })
  const metrics = await app.inject('/metrics')
  t.match(metrics.body, /http_requests_total/)
  t.match(metrics.body, /service="kit-test"/)
  const docs = await app.inject('/docs/json')
  t.equal(docs.json().openapi, '3.0.3')
  t.ok(docs.json().paths['/echo'])
  t.equal((await app.inject('/docs')).statusCode < 400, true)
})

t.test('readiness fails with 503 and Retry-After when a dependency is down', async (t) => {
  const app = await build(t, false)
  const res = await app.inject('/ready')
  t.equal(res.statusCode, 503)
  t.equal(res.headers['retry-after'], '5')
  t.same(res.json().checks, { mysql: 'down', redis: 'up' })
})

t.test('JSON bodies are validated strictly, never coerced', async (t) => {
  const app = await build(t)
  const res = await app.inject({
    method: 'POST',
    url: '/echo',
    payload: '{"n":"5"}',
    headers: { 'content-type': 'application/json' },
  })
  t.equal(res.statusCode, 400)
  t.equal(res.json().code, 'validation_failed')
  const plain = await app.inject({
    method: 'POST',
    url: '/echo',
    payload: 'n',
    headers: { 'content-type': 'text/plain' },
  })
  t.equal(plain.statusCode, 415)
})
