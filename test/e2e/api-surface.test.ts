import { expectOk } from '@flash/api-client'
import { lintOpenApi } from '@flash/test-kit'
import fc from 'fast-check'
import { sql } from 'kysely'
import t from 'tap'
import { request } from 'undici'
import { startE2eStack } from '../src/index.ts'

// Issue 15: the public surface as an attacker sees it, through the gateway. The merged OpenAPI
// document lints clean (item 11), the service-only endpoints stay off it (item 10), and a fuzzer
// built from the document throws random and adversarial paths, headers and bodies at every public
// operation: never a 5xx, every refusal problem+json, and nothing changed by a refusal.
const e2e = await startE2eStack(t)
const { api, db, stack } = e2e
const gateway = stack.gatewayUrl!

const get = async (path: string) => {
  const res = await request(`${gateway}${path}`)
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() }
}

interface Operation {
  method: string
  path: string
}
const documentRes = await get('/docs/json')
const document = JSON.parse(documentRes.body) as { paths: Record<string, Record<string, unknown>> }
const operations: Operation[] = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.keys(item).map((method) => ({ method: method.toUpperCase(), path })),
)

t.test('the merged OpenAPI document passes redocly lint: 0 errors, 0 warnings', async (t) => {
  t.equal(documentRes.status, 200)
  const result = await lintOpenApi(document)
  t.equal(result.errors, 0, result.output)
  t.equal(result.warnings, 0, result.output)
})

t.test('service-only endpoints are not reachable through the gateway (docs/security.md)', async (t) => {
  t.notOk(
    Object.keys(document.paths).some((p) => p.startsWith('/internal')),
    'no /internal path documented',
  )
  for (const path of ['/metrics', '/internal/reservations', '/ready', '/api/../metrics']) {
    const res = await get(path)
    t.equal(res.status, 404, path)
  }
})

// A customer of its own: the fuzzer may act as a signed-in buyer too.
const buyer = expectOk(
  await api.register({
    name: 'Fuzz Buyer',
    email: 'fuzz.buyer@example.com',
    password: 'fuzzing all day long',
  }),
)
const product = expectOk(
  await api.createProduct(e2e.adminToken, { name: 'Fuzzed', price_cents: 100, stock: 50 }),
)

const RAW_IDS = [
  '0x1',
  '1e0',
  '%201',
  '-1',
  '1.5',
  '99999999999999999999',
  '%00',
  '..%2Finternal',
  "1'--",
  '',
]
const pathValue = fc.oneof(
  fc.constantFrom(...RAW_IDS),
  fc.integer({ min: -5, max: product.id + 5 }).map(String),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
  fc.uuid().map(String),
)
const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
})
const authorization = fc.constantFrom(
  undefined,
  `Bearer ${buyer.access_token}`,
  'Bearer not.a.jwt',
  `Bearer ${buyer.access_token.slice(0, -4)}AAAA`,
  'Basic YWRtaW46YWRtaW4=',
  `bearer ${buyer.access_token}`,
)
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/xml',
  undefined,
)
const adversarialText = fc.constantFrom(
  '\u0000',
  'Bob\u202Egpj.exe',
  '\u200B\u200B',
  'x'.repeat(300),
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '{"$gt": ""}',
  'password',
)
const fieldValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  adversarialText,
  fc.integer(),
  fc.double(),
  fc.constant(product.id),
)
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .dictionary(
      fc.constantFrom(
        'name',
        'email',
        'password',
        'refresh_token',
        'product_id',
        'quantity',
        'price_cents',
        'stock',
        'role',
        '__proto__',
        'constructor',
      ),
      fieldValue,
      { maxKeys: 5 },
    )
    .map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 100 }),
  fc.constant('{"quantity": 1, "product_id": '),
  fc.constant(`{"name":"${'a'.repeat(20_000)}"}`),
  fc.constant(undefined),
)
const extraHeaders = fc.record(
  {
    'idempotency-key': headerText,
    'x-forwarded-for': fc.constantFrom('1.2.3.4', 'garbage', '127.0.0.1, 10.0.0.1'),
    'x-request-id': headerText,
  },
  { requiredKeys: [] },
)

const snapshot = async () => {
  const [users, orders, stock] = await Promise.all([
    db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    sql<{
      supplied: number
      stock: number
    }>`SELECT supplied, stock FROM products WHERE id = ${product.id}`.execute(db),
  ])
  return { users: Number(users.n), orders: Number(orders.n), ...stock.rows[0]! }
}

t.test('fuzzing every public operation: no 5xx, always problem+json, refusals change nothing', async (t) => {
  t.ok(operations.length >= 10, `${operations.length} operations in the document`)
  const before = await snapshot()
  let created = { users: 0, orders: 0 }
  const statuses = new Map<number, number>()
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...operations),
      pathValue,
      authorization,
      contentType,
      body,
      extraHeaders,
      async (operation, param, auth, type, payload, extra) => {
        const path = operation.path.replace(/\{[^}]+\}/g, param)
        const withBody = operation.method !== 'GET' && payload !== undefined
        const headers: Record<string, string> = { ...extra }
        if (auth) headers.authorization = auth
        if (withBody && type) headers['content-type'] = type
        const res = await request(`${gateway}${path}`, {
          method: operation.method as 'GET',
          headers,
          ...(withBody ? { body: payload } : {}),
        })
        const text = await res.body.text()
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
        if (res.statusCode === 201 && operation.path === '/api/register') created.users++
        if (res.statusCode === 202 && operation.path === '/api/orders') created.orders++
        if (res.statusCode >= 500 && res.statusCode !== 503) return false
        if (res.statusCode === 503 && !res.headers['retry-after']) return false
        if (res.statusCode >= 400) {
          if (!String(res.headers['content-type']).startsWith('application/problem+json')) return false
          const problem = JSON.parse(text) as { status: number; code: string }
          if (problem.status !== res.statusCode || typeof problem.code !== 'string') return false
          if (/at .*\.ts:\d+|stack|sqlState|ER_/.test(text)) return false
        }
        return true
      },
    ),
    { seed: 20261204, numRuns: 400, endOnFailure: true },
  )
  t.comment(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}`)
  t.notOk(statuses.has(500), 'no 500')
  const after = await snapshot()
  t.equal(after.users, before.users + created.users, 'users: only the registrations answered 201')
  t.equal(after.orders, before.orders + created.orders, 'orders: only the ones answered 202')
  t.equal(after.supplied, before.supplied, 'no stock was added')
  created = { users: 0, orders: 0 }
})
