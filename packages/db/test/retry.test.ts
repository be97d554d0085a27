import { createTestDatabase } from '@flash/test-kit'
import { sql } from 'kysely'
import t from 'tap'
import { isDeadlock, retryOnDeadlock, transactionWithRetry } from '../src/index.ts'

t.test('a real deadlock victim is retried and succeeds; other errors are not retried', async (t) => {
  const { db } = await createTestDatabase(t, 'retry')
  await db
    .insertInto('products')
    .values([
      { name: 'a', price_cents: 1, stock: 10, supplied: 10 },
      { name: 'b', price_cents: 1, stock: 10, supplied: 10 },
    ])
    .execute()
  const [a, b] = (await db.selectFrom('products').select('id').orderBy('id').execute()).map((r) => r.id)

  // T1 locks a then b; T2 (retried) locks b then a. The first T2 attempt is made to collide.
  let attempts = 0
  let t1Locked!: () => void
  const t1HasA = new Promise<void>((resolve) => {
    t1Locked = resolve
  })
  let t2HasB!: () => void
  const t2Locked = new Promise<void>((resolve) => {
    t2HasB = resolve
  })
  const t1 = db.transaction().execute(async (trx) => {
    await sql`select id from products where id = ${a} for update`.execute(trx)
    t1Locked()
    await t2Locked
    await sql`update products set stock = stock - 1 where id = ${b}`.execute(trx)
  })
  const t2 = transactionWithRetry(db, async (trx) => {
    attempts++
    if (attempts === 1) await t1HasA
    await sql`select id from products where id = ${b} for update`.execute(trx)
    if (attempts === 1) {
      t2HasB()
      // Give T1 time to queue on b, so this request on a closes the cycle.
      await new Promise((r) => setTimeout(r, 200))
    }
    await sql`update products set stock = stock - 1 where id = ${a}`.execute(trx)
  })
  const results = await Promise.allSettled([t1, t2])
  const t1Error = results[0].status === 'rejected' ? results[0].reason : undefined
  t.equal(results[1].status, 'fulfilled', 'the retried transaction got through')
  if (t1Error) t.ok(isDeadlock(t1Error), 'T1 may be the victim instead (not retried)')
  else t.equal(attempts, 2, 'T2 was the victim and ran twice')
  const stock = await db.selectFrom('products').select(['id', 'stock']).orderBy('id').execute()
  t.equal(stock[0]!.stock, 9, 'a decremented exactly once by T2')

  let calls = 0
  await t.rejects(
    retryOnDeadlock(async () => {
      calls++
      throw Object.assign(new Error('duplicate'), { errno: 1062 })
    }),
  )
  t.equal(calls, 1, 'a non-deadlock error is thrown at once')
})
