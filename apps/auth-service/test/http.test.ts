import { createRemoteJWKSet, jwtVerify } from 'jose'
import t from 'tap'
import { createWorld, startApp } from './helpers.ts'

const world = await createWorld(t, 'auth-http')
const app = await startApp(t, world.config())
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`

interface Operation {
  tags?: string[]
  summary?: string
  security?: unknown
  requestBody: { content: Record<string, { schema?: unknown }> }
  responses: Record<string, { content: Record<string, unknown>; headers?: Record<string, unknown> }>
}
interface OpenApiDoc {
  openapi: string
  info: { title: string }
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> }
  paths: Record<string, Record<string, Operation>>
}
interface Registered {
  user: { id: number }
  access_token: string
}
interface JwkSet {
  keys: Record<string, unknown>[]
}

const send = (path: string, init: { method?: string; body?: unknown; token?: string } = {}) =>
  fetch(`${base}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  })

t.test('over real TCP: register → me → logout → refused', async (t) => {
  const reg = await send('/api/register', {
    body: { name: 'Tcp User', email: 'tcp@example.com', password: 'over the wire' },
  })
  t.equal(reg.status, 201)
  t.match(reg.headers.get('x-request-id'), /.+/)
  const s = (await reg.json()) as Registered
  const me = await send('/api/me', { token: s.access_token })
  t.same(await me.json(), { id: s.user.id, name: 'Tcp User', email: 'tcp@example.com', role: 'customer' })
  t.equal((await send('/api/logout', { method: 'POST', token: s.access_token })).status, 204)
  const after = await send('/api/me', { token: s.access_token })
  t.equal(after.status, 401)
  t.match(after.headers.get('content-type'), /^application\/problem\+json/)

  const raw = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"email":',
  })
  t.equal(raw.status, 400, 'malformed JSON over the wire')
  t.equal(((await raw.json()) as { code: string }).code, 'malformed_json')
})

t.test('JWKS publishes the Ed25519 public key, cacheable, and it verifies issued tokens', async (t) => {
  const res = await send('/.well-known/jwks.json')
  t.equal(res.status, 200)
  t.match(res.headers.get('cache-control'), /max-age=\d+/)
  const jwks = (await res.json()) as JwkSet
  t.equal(jwks.keys.length, 1)
  const [key] = jwks.keys
  t.match(key, {
    kty: 'OKP',
    crv: 'Ed25519',
    kid: 'test-key',
    alg: 'EdDSA',
    use: 'sig',
    x: /^[A-Za-z0-9_-]{43}$/,
  })
  t.notOk(key && 'd' in key, 'no private part')

  const login = await send('/api/register', {
    body: { name: 'Verifier', email: 'verifier@example.com', password: 'verify me please' },
  })
  const { access_token } = (await login.json()) as Registered
  // What every other service does: fetch the JWKS and verify locally.
  const { payload, protectedHeader } = await jwtVerify(
    access_token,
    createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`)),
    { issuer: 'flash-sale-auth', audience: 'flash-sale-api', algorithms: ['EdDSA'] },
  )
  t.equal(protectedHeader.kid, 'test-key')
  t.equal(payload.role, 'customer')
})

t.test('OpenAPI documents every route, with schemas, problems and security', async (t) => {
  const doc = (await (await send('/docs/json')).json()) as OpenApiDoc
  t.match(doc.openapi, /^3\./)
  t.equal(doc.info.title, 'auth-service')
  t.ok(doc.components.securitySchemes.bearer)
  t.ok(doc.components.schemas.Problem, 'Problem schema published')
  const paths = doc.paths
  for (const [path, method, ok] of [
    ['/api/register', 'post', '201'],
    ['/api/login', 'post', '200'],
    ['/api/refresh', 'post', '200'],
    ['/api/logout', 'post', '204'],
    ['/api/me', 'get', '200'],
    ['/.well-known/jwks.json', 'get', '200'],
  ] as const) {
    const op = paths[path]?.[method]
    t.ok(op, `${method} ${path} documented`)
    t.ok(op?.tags?.length, `${path} tagged`)
    t.ok(op?.summary, `${path} summarised`)
    t.ok(op?.responses?.[ok], `${path} ${ok} response`)
  }
  for (const path of ['/api/register', '/api/login', '/api/refresh']) {
    const op = paths[path]?.post
    t.ok(op?.requestBody.content['application/json']?.schema, `${path} body schema`)
    t.ok(op?.responses['429']?.content['application/problem+json'], `${path} documents 429 problem+json`)
    t.ok(op?.responses['400']?.content['application/problem+json'], `${path} documents 400 problem+json`)
    t.ok(op?.responses['429']?.headers?.['retry-after'], `${path} documents Retry-After`)
    t.same(op?.security, [], `${path} needs no token (security: [])`)
  }
  t.ok(paths['/api/register']?.post?.responses['409'], 'register documents 409 email_taken')
  for (const [path, method] of [
    ['/api/logout', 'post'],
    ['/api/me', 'get'],
  ] as const) {
    t.same(paths[path]?.[method]?.security, [{ bearer: [] }], `${path} requires a Bearer token`)
    t.ok(paths[path]?.[method]?.responses['401'], `${path} documents 401`)
  }
  const ui = await send('/docs')
  t.ok(ui.status === 200 || (ui.status >= 300 && ui.status < 400), 'Swagger UI served')
})

t.test('/health, /ready and /metrics', async (t) => {
  const health = await send('/health')
  t.equal(health.status, 200)
  t.same(await health.json(), { status: 'ok' })
  const ready = await send('/ready')
  t.equal(ready.status, 200)
  t.same(await ready.json(), { status: 'ready', checks: { mysql: 'up', redis: 'up', revocations: 'up' } })
  const metrics = await send('/metrics')
  t.equal(metrics.status, 200)
  t.match(await metrics.text(), /http_requests_total/)
})

t.test('/ready is 503 with Retry-After when Redis is cut', async (t) => {
  const cut = await startApp(t, world.config())
  cut.redis.disconnect()
  const res = await cut.inject('/ready')
  t.equal(res.statusCode, 503)
  t.ok(res.headers['retry-after'])
  t.match(res.json(), { status: 'unavailable', checks: { mysql: 'up', redis: 'down' } })
  t.equal((await cut.inject('/health')).statusCode, 200, 'still alive')
})
