import { createServer } from 'node:http'
import t, { type Test } from 'tap'
import { buildGateway, freePort } from '../src/index.ts'
import { startUpstream } from './helpers/upstream.ts'

const orders = await startUpstream(t, 'order-service')
// Nothing listens here: the OS just handed it out and it was released.
const dead = `http://127.0.0.1:${await freePort()}`

interface Answer {
  statusCode: number
  headers: Record<string, unknown>
  json(): unknown
}

function isProblem(t: Test, res: Answer, status: number, code: string) {
  t.equal(res.statusCode, status)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.match(res.json(), { type: String, title: String, status, detail: String, code })
}

const gateway = await buildGateway({
  targets: { 'order-service': orders.url, 'auth-service': dead },
  logLevel: 'silent',
})
t.teardown(() => gateway.close())

t.test('/internal/* is never routed, however it is spelled', async (t) => {
  const before = orders.seen.length
  for (const url of [
    '/internal/reservations',
    '/internal',
    '/api/orders/../../internal/reservations',
    '/api/orders/%2e%2e/%2E%2E/internal/reservations',
    '/api/orders/x%2F..%2F..%2Finternal',
  ]) {
    const res = await gateway.inject({
      method: 'POST',
      url,
      payload: '{}',
      headers: { 'content-type': 'application/json' },
    })
    isProblem(t, res, 404, 'not_found')
  }
  t.equal(orders.seen.length, before, 'the upstream saw none of them')
})

t.test('an unknown path is a 404 problem', async (t) => {
  const res = await gateway.inject({
    method: 'GET',
    url: '/nope?x=1',
    headers: { 'x-request-id': 'unknown-1' },
  })
  isProblem(t, res, 404, 'not_found')
  t.match(res.json(), { detail: 'No route for GET /nope', request_id: 'unknown-1' })
  t.equal(res.headers['x-request-id'], 'unknown-1')
})

t.test('an upstream that is down is a 503 problem with Retry-After', async (t) => {
  const res = await gateway.inject({
    method: 'POST',
    url: '/api/login',
    payload: '{}',
    headers: { 'content-type': 'application/json' },
  })
  isProblem(t, res, 503, 'dependency_unavailable')
  t.equal(res.headers['retry-after'], '1')
})

t.test('over a real socket too, with a request body the upstream never read', async (t) => {
  const base = await gateway.listen({ port: 0, host: '127.0.0.1' })
  const res = await fetch(`${base}/api/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'x'.repeat(50_000) }),
  })
  t.equal(res.status, 503)
  t.equal(res.headers.get('retry-after'), '1')
  t.match(await res.json(), { code: 'dependency_unavailable', status: 503 })
})

t.test('a service with no instance configured is a 503 problem too', async (t) => {
  const res = await gateway.inject({ method: 'GET', url: '/api/products' })
  isProblem(t, res, 503, 'dependency_unavailable')
  t.ok(res.headers['retry-after'])
})

t.test("the upstream's own 503 passes through untouched and is not retried", async (t) => {
  const before = orders.seen.length
  const res = await gateway.inject({ method: 'GET', url: '/api/orders', headers: { 'x-test-status': '503' } })
  t.equal(res.statusCode, 503)
  t.equal(res.headers['retry-after'], '7')
  t.equal(res.json<{ service: string }>().service, 'order-service')
  t.equal(orders.seen.length, before + 1)
})

t.test('an instance that refuses connections is skipped while others remain', async (t) => {
  const live = await startUpstream(t, 'order-live')
  const pooled = await buildGateway({
    targets: { 'order-service': [dead, live.url] },
    logLevel: 'silent',
    downForMs: 600_000,
  })
  t.teardown(() => pooled.close())
  const first = await pooled.inject({ method: 'GET', url: '/api/orders' })
  t.equal(first.statusCode, 503, 'the first request meets the dead instance')
  for (let i = 0; i < 4; i++) {
    const res = await pooled.inject({ method: 'GET', url: '/api/orders' })
    t.equal(res.statusCode, 200)
    t.equal(res.json<{ service: string }>().service, 'order-live')
  }
})

t.test('the gateway answers its own /health', async (t) => {
  const res = await gateway.inject({ method: 'GET', url: '/health' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ok' })
})

/** A raw upstream that misbehaves on every request: `hang` never answers, `reset` drops the socket. */
async function misbehaving(t: Test, how: 'hang' | 'reset') {
  let requests = 0
  const server = createServer((req) => {
    requests++
    if (how === 'reset') req.socket.destroy()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise((resolve) => server.close(resolve))
  })
  const address = server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  return { url, requests: () => requests }
}

t.test('an upstream that does not answer in time is a 504 problem, not retried', async (t) => {
  const hanging = await misbehaving(t, 'hang')
  const slow = await buildGateway({
    targets: { 'order-service': hanging.url },
    logLevel: 'silent',
    upstreamTimeoutMs: 300,
  })
  t.teardown(() => slow.close())
  const res = await slow.inject({ method: 'GET', url: '/api/orders/abc' })
  isProblem(t, res, 504, 'gateway_timeout')
  t.equal(res.headers['retry-after'], '1')
  t.equal(hanging.requests(), 1, 'asked once')
})

t.test('an upstream that drops the connection mid-exchange is a 502 problem', async (t) => {
  const resetting = await misbehaving(t, 'reset')
  const broken = await buildGateway({ targets: { 'order-service': resetting.url }, logLevel: 'silent' })
  t.teardown(() => broken.close())
  const res = await broken.inject({
    method: 'POST',
    url: '/api/orders',
    payload: '{}',
    headers: { 'content-type': 'application/json' },
  })
  isProblem(t, res, 502, 'bad_gateway')
  t.equal(res.headers['retry-after'], '1')
})
