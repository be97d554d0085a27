import { createDbInTimeZone, createTestDatabase } from '@flash/test-kit'
import { sql } from 'kysely'
import t from 'tap'
import { createDb, SESSION_TIME_ZONE } from '../src/index.ts'

// created_at / updated_at default to CURRENT_TIMESTAMP, which MySQL evaluates in the session's zone
// (the server's unless set). Every session the shared client opens is pinned to UTC, so what MySQL writes
// and what the driver reads (timezone 'Z') agree on any server.
const { url } = await createTestDatabase(t, 'db-tz')

t.test('every pooled session runs in UTC', async (t) => {
  const db = createDb({ url, poolSize: 3 })
  t.teardown(() => db.destroy())
  // Three transactions at once hold three connections: each one is a new session.
  const zones = await Promise.all(
    [0, 1, 2].map(() =>
      db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ zone: string }>`select @@session.time_zone as zone, sleep(0.05)`.execute(
          trx,
        )
        return rows[0]!.zone
      }),
    ),
  )
  t.same(zones, [SESSION_TIME_ZONE, SESSION_TIME_ZONE, SESSION_TIME_ZONE])
})

t.test('a row written now reads back as now, in UTC, whatever zone another session uses', async (t) => {
  const db = createDb({ url, poolSize: 1 })
  t.teardown(() => db.destroy())
  const elsewhere = createDbInTimeZone(t, url, '+05:00')
  await db
    .insertInto('products')
    .values({ name: 'tz', price_cents: 1, stock: 1, supplied: 1, max_per_user: null })
    .execute()
  // MySQL's own UTC clock, read in a +05:00 session: the row's created_at must not be five hours off.
  const { rows } = await sql<{ hours: number }>`
    select timestampdiff(hour, created_at, utc_timestamp(3)) as hours from products where name = 'tz'`.execute(
    elsewhere,
  )
  t.equal(Number(rows[0]!.hours), 0)
})
