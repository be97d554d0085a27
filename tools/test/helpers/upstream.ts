import Fastify, { type FastifyInstance } from 'fastify'
import type { Teardown } from '@flash/test-kit'

export interface TestUpstream {
  url: string
  /** Requests it has received, newest last. */
  seen: { method: string; url: string; headers: Record<string, unknown>; body: string }[]
  app: FastifyInstance
}

/**
 * A stand-in service on a free loopback port: echoes what it received as JSON, serves `document` at
 * `/docs/json`, and has an `/internal/secret` route the gateway must never reach.
 */
export async function startUpstream(t: Teardown, name: string, document?: object): Promise<TestUpstream> {
  const app = Fastify()
  const seen: TestUpstream['seen'] = []
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body))
  app.get('/docs/json', async () => document ?? { openapi: '3.0.3', paths: {} })
  app.all('/*', async (request, reply) => {
    const body = typeof request.body === 'string' ? request.body : ''
    seen.push({ method: request.method, url: request.url, headers: request.headers, body })
    if (request.headers['x-test-status']) {
      reply.code(Number(request.headers['x-test-status'])).header('retry-after', '7')
    }
    reply.header('x-served-by', name).header('location', `/from/${name}`)
    return { service: name, method: request.method, url: request.url, headers: request.headers, body }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { url: `http://127.0.0.1:${port}`, seen, app }
}
