import { createTestDatabase, TcpProxy, TEST_MYSQL_SERVER } from '@flash/test-kit'
import { sql } from 'kysely'
import t from 'tap'
import { createServiceApp, dbPlugin } from '../src/index.ts'

// MySQL behind a TCP proxy the test cuts: what any route answers while its database is unreachable.
const database = await createTestDatabase(t, 'kit-db-down')
const server = new URL(TEST_MYSQL_SERVER)
const proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 3306) })
t.teardown(() => proxy.close())

const app = await createServiceApp({ service: 'db-test', logLevel: 'silent' })
t.teardown(() => app.close())
await app.register(dbPlugin, { url: proxy.url(database.url), poolSize: 2 })
// A route with no error handling of its own, like login or GET /api/orders/:id.
app.get('/one', async () => {
  const { rows } = await sql<{ one: number }>`select 1 as one`.execute(app.db)
  return { one: Number(rows[0]!.one) }
})
// A lock held by another session, waited for with a 1 s lock wait timeout.
app.get('/locked', async () =>
  app.db.connection().execute(async (conn) => {
    await sql`set innodb_lock_wait_timeout = 1`.execute(conn)
    await conn.transaction().execute(async (trx) => {
      await sql`select id from kysely_migration_lock for update`.execute(trx)
    })
    return { locked: false }
  }),
)
await app.ready()

t.test('a lost MySQL connection is 503 dependency_unavailable with Retry-After, not 500', async (t) => {
  t.equal((await app.inject('/one')).statusCode, 200)
  proxy.cut()
  t.teardown(() => proxy.resume())
  const res = await app.inject('/one')
  t.equal(res.statusCode, 503)
  t.equal(res.headers['retry-after'], '1')
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.match(res.json(), {
    code: 'dependency_unavailable',
    detail: 'The database is unavailable; retry shortly',
  })
  proxy.resume()
  // The pool drops the dead connection and opens a new one: the next request is served again.
  let after = await app.inject('/one')
  for (let i = 0; i < 5 && after.statusCode !== 200; i++) after = await app.inject('/one')
  t.equal(after.statusCode, 200)
})

t.test('a lock wait timeout is 503 dependency_unavailable with Retry-After', async (t) => {
  // Held on the direct connection (not through the proxy) until the request gave up.
  await database.db.transaction().execute(async (trx) => {
    await sql`select id from kysely_migration_lock for update`.execute(trx)
    const res = await app.inject('/locked')
    t.equal(res.statusCode, 503)
    t.equal(res.headers['retry-after'], '1')
    t.match(res.json(), { code: 'dependency_unavailable' })
  })
})
