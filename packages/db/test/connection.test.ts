import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { createTestDatabase } from '@flash/test-kit'
import t from 'tap'
import {
  assertSchemaCurrent,
  createDb,
  dropAppUser,
  ensureAppUser,
  parseDatabaseUrl,
  withDatabase,
} from '../src/index.ts'

t.test('?tls= selects a verified TLS mode, and is never handed to the driver', async (t) => {
  t.same(parseDatabaseUrl('mysql://u:p@h:3306/flash_sale').ssl, undefined, 'no tls: plain TCP')
  const rds = parseDatabaseUrl('mysql://u:p@h:3306/flash_sale?tls=rds')
  t.equal(rds.ssl?.rejectUnauthorized, true)
  t.ok(Array.isArray(rds.ssl?.ca) && rds.ssl.ca.length > 10, 'the Amazon RDS certificate authorities')
  t.notMatch(rds.clientUrl, /tls/)
  t.equal(parseDatabaseUrl('mysql://u:p@h:3306/flash_sale?tls=verify').ssl?.ca, undefined, 'system CAs')
  t.throws(() => parseDatabaseUrl('mysql://u:p@h:3306/flash_sale?tls=on'), /tls= must be one of rds, verify/)
  t.equal(withDatabase('mysql://u:p@h:3306/flash_sale?tls=rds', 'mysql'), 'mysql://u:p@h:3306/mysql?tls=rds')
})

t.test('a TLS connection never falls back to plain text (this MariaDB has no TLS)', async (t) => {
  const { url } = await createTestDatabase(t, 'tls')
  const plain = createDb({ url, poolSize: 1 })
  t.teardown(() => plain.destroy())
  await t.resolves(sql`select 1`.execute(plain), 'the same server without ?tls=')
  const tls = createDb({ url: `${url}?tls=rds`, poolSize: 1 })
  t.teardown(() => tls.destroy())
  await t.rejects(sql`select 1`.execute(tls), /secure connection|SSL|TLS/i)
})

t.test('the services user reads and writes rows of its database, and changes no schema', async (t) => {
  const { url, db } = await createTestDatabase(t, 'appuser')
  const user = `t_app_${randomBytes(4).toString('hex')}`
  const password = randomBytes(18).toString('hex')
  const appUrl = new URL(url)
  appUrl.username = user
  appUrl.password = password
  t.teardown(() => dropAppUser(db, user))
  t.match(await ensureAppUser(db, appUrl.toString()), /SELECT, INSERT, UPDATE, DELETE/)
  t.match(await ensureAppUser(db, appUrl.toString()), new RegExp(user), 'idempotent')
  const app = createDb({ url: appUrl.toString(), poolSize: 1 })
  t.teardown(() => app.destroy())
  await t.resolves(assertSchemaCurrent(app), 'the boot check works with row access only')
  const { insertId } = await app
    .insertInto('products')
    .values({ name: 'P', price_cents: 1, stock: 1, supplied: 1 })
    .executeTakeFirstOrThrow()
  await app.updateTable('products').set({ stock: 0 }).where('id', '=', Number(insertId)).execute()
  await app.deleteFrom('products').where('id', '=', Number(insertId)).execute()
  await t.rejects(sql`create table intruder (id int)`.execute(app), /denied/)
  await t.rejects(sql`drop table orders`.execute(app), /denied/)
  await t.rejects(sql`select 1 from mysql.user`.execute(app), /denied/)
  await t.rejects(ensureAppUser(db, url.replace('root@', 'root:short@')), /at least 16 characters/)
})
