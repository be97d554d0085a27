import { ROUTE_TABLE } from '@flash/routes'
import t from 'tap'
import { BODY_LIMIT, buildGateway } from '../src/index.ts'
import { startUpstream } from './helpers/upstream.ts'

const auth = await startUpstream(t, 'auth-service')
const inventoryA = await startUpstream(t, 'inventory-a')
const inventoryB = await startUpstream(t, 'inventory-b')
const orders = await startUpstream(t, 'order-service')

const gateway = await buildGateway({
  targets: {
    'auth-service': auth.url,
    'inventory-service': [inventoryA.url, inventoryB.url],
    'order-service': [orders.url],
  },
  logLevel: 'silent',
})
t.teardown(() => gateway.close())

/** A concrete path for each rule: the pattern itself, or something under its prefix. */
const sample = (pattern: string) => (pattern.endsWith('/*') ? `${pattern.slice(0, -1)}42` : pattern)

t.test('every rule of the route table reaches its service, path and query intact', async (t) => {
  for (const rule of ROUTE_TABLE) {
    const url = `${sample(rule.pattern)}?cursor=abc&limit=2`
    const res = await gateway.inject({ method: 'GET', url })
    t.equal(res.statusCode, 200, url)
    const body = res.json()
    t.match(body.service, rule.service === 'inventory-service' ? /^inventory-/ : rule.service, url)
    t.equal(body.url, url)
  }
})

t.test('instances of a service take turns', async (t) => {
  const served = []
  for (let i = 0; i < 4; i++) {
    served.push((await gateway.inject({ method: 'GET', url: '/api/products' })).json().service)
  }
  t.same([...served].sort(), ['inventory-a', 'inventory-a', 'inventory-b', 'inventory-b'])
  t.not(served[0], served[1])
})

t.test('bodies travel byte for byte, even ones the service will refuse', async (t) => {
  for (const payload of ['{"product_id":1,"quantity":2}', '{"broken": ', 'not json at all']) {
    const res = await gateway.inject({
      method: 'POST',
      url: '/api/orders',
      payload,
      headers: { 'content-type': 'application/json', authorization: 'Bearer abc' },
    })
    const body = res.json()
    t.equal(body.body, payload)
    t.equal(body.method, 'POST')
    t.equal(body.headers['content-type'], 'application/json')
    t.equal(body.headers.authorization, 'Bearer abc')
  }
})

t.test("the upstream's status and headers come back; hop-by-hop headers do not go out", async (t) => {
  const res = await gateway.inject({
    method: 'POST',
    url: '/api/orders',
    payload: '{}',
    headers: {
      'content-type': 'application/json',
      'x-test-status': '202',
      connection: 'x-secret',
      'x-secret': '1',
    },
  })
  t.equal(res.statusCode, 202)
  t.equal(res.headers.location, '/from/order-service')
  t.equal(res.headers['x-served-by'], 'order-service')
  const sent = res.json().headers
  t.notOk('x-secret' in sent, 'a header named by Connection is dropped')
  t.equal(sent['x-forwarded-proto'], 'http')
})

t.test('x-request-id is forwarded and returned, or made up when missing', async (t) => {
  const given = await gateway.inject({
    method: 'GET',
    url: '/api/me',
    headers: { 'x-request-id': 'req-123' },
  })
  t.equal(given.headers['x-request-id'], 'req-123')
  t.equal(given.json().headers['x-request-id'], 'req-123')

  const made = await gateway.inject({ method: 'GET', url: '/api/me' })
  const id = made.headers['x-request-id']
  t.match(id, /^[0-9a-f-]{36}$/)
  t.equal(made.json().headers['x-request-id'], id)

  const odd = await gateway.inject({ method: 'GET', url: '/api/me', headers: { 'x-request-id': 'bad id\n' } })
  t.not(odd.headers['x-request-id'], 'bad id\n', 'an unsafe id is replaced')
})

t.test('X-Forwarded-For is the client address, never a chain the client made up', async (t) => {
  const res = await gateway.inject({
    method: 'GET',
    url: '/api/me',
    headers: { 'x-forwarded-for': '203.0.113.9' },
    remoteAddress: '127.0.0.7',
  })
  t.equal(res.json().headers['x-forwarded-for'], '127.0.0.7')
})

t.test('a body over the gateway limit is refused there, with the connection closed', async (t) => {
  const before = orders.seen.length
  const res = await gateway.inject({
    method: 'POST',
    url: '/api/orders',
    payload: 'x'.repeat(BODY_LIMIT + 1),
    headers: { 'content-type': 'text/plain' },
  })
  t.equal(res.statusCode, 413)
  t.match(res.json(), { code: 'payload_too_large', status: 413 })
  t.equal(res.headers.connection, 'close')
  t.equal(orders.seen.length, before, 'never forwarded')
})

t.test('HEAD gets the headers and no body', async (t) => {
  const res = await gateway.inject({ method: 'HEAD', url: '/api/orders' })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['x-served-by'], 'order-service')
  t.equal(res.body, '')
})

t.test('works over a real socket with keep-alive', async (t) => {
  const real = await buildGateway({ targets: { 'order-service': orders.url }, logLevel: 'silent' })
  t.teardown(() => real.close())
  const base = await real.listen({ port: 0, host: '127.0.0.1' })
  const chunked = new ReadableStream({
    start(controller) {
      for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode(`part-${i};`))
      controller.close()
    },
  })
  const streamed = await fetch(`${base}/api/orders`, {
    method: 'POST',
    body: chunked,
    headers: { 'content-type': 'text/plain' },
    duplex: 'half',
  } as RequestInit)
  t.equal(
    ((await streamed.json()) as { body: string }).body,
    'part-0;part-1;part-2;part-3;',
    'a chunked body',
  )
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${base}/api/orders/abc`, { headers: { 'x-request-id': `real-${i}` } })
    t.equal(res.status, 200)
    t.equal(res.headers.get('x-request-id'), `real-${i}`)
    t.equal(((await res.json()) as { url: string }).url, '/api/orders/abc')
  }
})
