import { Redis } from 'ioredis'
import { sql } from 'kysely'
import t from 'tap'
import {
  createTestDatabase,
  createTestRedisPrefix,
  deleteKeysByPrefix,
  TEST_REDIS_URL,
  uniqueName,
} from '../src/index.ts'

t.test('unique names never repeat and stay valid identifiers', async (t) => {
  const names = new Set(Array.from({ length: 200 }, () => uniqueName('a-b c')))
  t.equal(names.size, 200)
  for (const name of names) t.match(name, /^t_a_b_c_[0-9a-f]{8}$/)
})

t.test('a test database is migrated, private, and dropped afterwards', async (t) => {
  let url = ''
  await t.test('inner', async (t) => {
    const { db, url: u } = await createTestDatabase(t, 'kit')
    url = u
    await db.insertInto('products').values({ name: 'p', price_cents: 1, stock: 1, supplied: 1 }).execute()
    const row = await db.selectFrom('products').select('name').executeTakeFirstOrThrow()
    t.equal(row.name, 'p')
  })
  const { db } = await createTestDatabase(t, 'kit-check')
  const name = url.slice(url.lastIndexOf('/') + 1)
  const found = await sql<{
    n: number
  }>`select count(*) as n from information_schema.schemata where schema_name = ${name}`.execute(db)
  t.equal(Number(found.rows[0]?.n), 0, 'dropped on teardown')
})

t.test('a Redis prefix is cleaned up on teardown, and only its own keys', async (t) => {
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.quit())
  const neighbour = `${uniqueName('neighbour')}:keep`
  await redis.set(neighbour, '1')
  t.teardown(() => redis.del(neighbour))
  let prefix = ''
  await t.test('inner', async (t) => {
    prefix = createTestRedisPrefix(t, 'kit')
    await redis.mset(`${prefix}a`, '1', `${prefix}b`, '2')
  })
  t.equal(await redis.exists(`${prefix}a`, `${prefix}b`), 0)
  t.equal(await redis.get(neighbour), '1')
  t.equal(await deleteKeysByPrefix(redis, `${prefix}`), 0)
})
