import Fastify from 'fastify'
import t from 'tap'
import { ApiClient, expectOk } from '../src/index.ts'

// A stand-in server that records what the client sends: this tests the client's wire format only;
// the real services are exercised through this client by their own and the end-to-end tests.
t.test('sends JSON, bearer tokens and idempotency keys; parses problems', async (t) => {
  const seen: { method: string; url: string; headers: Record<string, unknown>; body: unknown }[] = []
  const server = Fastify()
  server.all('/*', async (request, reply) => {
    seen.push({ method: request.method, url: request.url, headers: request.headers, body: request.body })
    if (request.url.startsWith('/api/orders/missing')) {
      return reply
        .code(404)
        .type('application/problem+json')
        .send({ type: 'x', title: 'Not found', status: 404, detail: 'no', code: 'order_not_found' })
    }
    return reply.code(202).send({ order_uuid: 'u', status: 'pending' })
  })
  await server.listen({ host: '127.0.0.1', port: 0 })
  const address = server.server.address() as { port: number }
  const client = new ApiClient({ baseUrl: `http://127.0.0.1:${address.port}/` })
  t.teardown(async () => {
    await client.close()
    await server.close()
  })

  const accepted = expectOk(await client.createOrder('tok', { product_id: 1, quantity: 2 }, 'key-1'))
  t.same(accepted, { order_uuid: 'u', status: 'pending' })
  t.match(seen[0], {
    method: 'POST',
    url: '/api/orders',
    headers: { authorization: 'Bearer tok', 'idempotency-key': 'key-1', 'content-type': 'application/json' },
    body: { product_id: 1, quantity: 2 },
  })

  const missing = await client.getOrder('tok', 'missing')
  t.equal(missing.ok, false)
  if (!missing.ok) t.equal(missing.problem.code, 'order_not_found')
  t.throws(() => expectOk(missing), /404/)

  await client.listOrders('tok', { limit: 5, cursor: 'abc' })
  t.equal(seen.at(-1)?.url, '/api/orders?limit=5&cursor=abc')
})
