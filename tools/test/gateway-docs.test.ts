import t from 'tap'
import { buildGateway, mergeOpenApi } from '../src/index.ts'
import { startUpstream } from './helpers/upstream.ts'

const problem = { type: 'object', properties: { code: { type: 'string' } } }
const authDoc = {
  openapi: '3.0.3',
  info: { title: 'auth-service', version: '1.0.0' },
  tags: [{ name: 'auth' }],
  paths: {
    '/api/login': { post: { tags: ['auth'], responses: { 401: { $ref: '#/components/schemas/Problem' } } } },
    '/.well-known/jwks.json': { get: { responses: { 200: { description: 'keys' } } } },
    '/internal/sessions': { get: { responses: { 200: { description: 'hidden' } } } },
    '/api/products': { get: { responses: { 200: { description: 'not auth’s to document' } } } },
  },
  components: {
    schemas: { Problem: problem, 'def-0': { type: 'string' } },
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
  },
}
const inventoryDoc = {
  openapi: '3.0.3',
  info: { title: 'inventory-service', version: '1.0.0' },
  tags: [{ name: 'products' }, { name: 'auth' }],
  paths: {
    '/api/products/{id}': {
      get: {
        responses: {
          200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/def-0' } } } },
          404: { $ref: '#/components/schemas/Problem' },
        },
      },
    },
    '/internal/reservations': { post: { responses: { 200: { description: 'hidden' } } } },
  },
  components: {
    schemas: { Problem: problem, 'def-0': { type: 'integer' } },
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
  },
}

t.test('mergeOpenApi keeps routed paths, shares equal components and renames clashing ones', async (t) => {
  const { ROUTE_TABLE } = await import('@flash/routes')
  const merged = mergeOpenApi(
    [
      { service: 'auth-service', document: authDoc },
      { service: 'inventory-service', document: inventoryDoc },
    ],
    { routes: ROUTE_TABLE, unavailable: ['order-service'] },
  )
  t.same(Object.keys(merged.paths ?? {}).sort(), [
    '/.well-known/jwks.json',
    '/api/login',
    '/api/products/{id}',
  ])
  // auth's def-0 is used by no path the gateway serves: listed unused, it would fail `redocly lint`.
  t.same(Object.keys(merged.components?.schemas ?? {}).sort(), ['Problem', 'inventory-service.def-0'])
  t.ok(merged.components?.securitySchemes?.bearer, 'security schemes are kept')
  t.same(merged.components?.schemas?.['inventory-service.def-0'], { type: 'integer' })
  const product = merged.paths?.['/api/products/{id}'] as { get: { responses: Record<string, unknown> } }
  t.same(product.get.responses[200], {
    content: { 'application/json': { schema: { $ref: '#/components/schemas/inventory-service.def-0' } } },
  })
  t.same(product.get.responses[404], { $ref: '#/components/schemas/Problem' })
  t.same(
    merged.tags?.map((tag) => tag.name),
    ['auth', 'products'],
  )
  t.match(merged.info?.description, /Unavailable right now: order-service/)
})

t.test('the gateway serves the merged document and Swagger UI, fetched fresh', async (t) => {
  const auth = await startUpstream(t, 'auth-service', authDoc)
  const inventory = await startUpstream(t, 'inventory-service', inventoryDoc)
  const gateway = await buildGateway({
    targets: {
      'auth-service': auth.url,
      'inventory-service': inventory.url,
      'order-service': 'http://127.0.0.1:9',
    },
    logLevel: 'silent',
    docsTimeoutMs: 1_000,
  })
  t.teardown(() => gateway.close())

  const json = await gateway.inject({ method: 'GET', url: '/docs/json' })
  t.equal(json.statusCode, 200)
  const doc = json.json()
  t.ok(doc.paths['/api/login'])
  t.ok(doc.paths['/api/products/{id}'])
  t.notOk(doc.paths['/internal/reservations'])
  t.match(doc.info.description, /order-service/)
  t.same(doc.servers, [{ url: '/' }])

  const yaml = await gateway.inject({ method: 'GET', url: '/docs/yaml' })
  t.equal(yaml.statusCode, 200)
  t.match(yaml.body, /\/api\/login:/)

  const ui = await gateway.inject({ method: 'GET', url: '/docs' })
  t.equal(ui.statusCode, 200)
  t.match(ui.headers['content-type'], /text\/html/)
})
