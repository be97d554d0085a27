import { createDbInTimeZone } from '@flash/test-kit'
import Fastify from 'fastify'
import { sql } from 'kysely'
import { Registry } from 'prom-client'
import t from 'tap'
import { createFinalizerMetrics } from '../src/plugins/metrics.ts'
import { sweepStalePending } from '../src/workers/stale-sweep.ts'
import { insertPendingOrder, insertProduct } from './fixtures.ts'
import { createWorld, depth } from './helpers.ts'

// Issue 13: created_at is written by MySQL (CURRENT_TIMESTAMP, in the session's zone). On a server whose
// zone is not UTC the stale sweep must still see an order's true age. Sessions in another zone stand in
// for such a server (the shared test server's own zone is not ours to change).
const world = await createWorld(t, 'time-zone')
const metrics = createFinalizerMetrics(new Registry())

for (const zone of ['-05:00', '+05:00']) {
  t.test(`the stale sweep is not skewed by a ${zone} session`, async (t) => {
    const db = createDbInTimeZone(t, world.env.DATABASE_URL!, zone)
    const sweep = () =>
      sweepStalePending({
        db,
        sqs: world.sqs,
        queueUrl: world.queueUrl,
        staleAfterMs: 60_000,
        log: Fastify({ logger: false }).log,
        metrics,
      })
    const product = await insertProduct(db, 5)
    const fresh = await insertPendingOrder(db, product)
    t.equal(await sweep(), 0, 'an order written just now is not stale')
    await sql`update orders set created_at = current_timestamp(3) - interval 2 minute
      where order_uuid = ${fresh.order_uuid}`.execute(db)
    t.equal(await sweep(), 1, 'two minutes old: its message is re-sent')
    await world.db.deleteFrom('orders').where('product_id', '=', product).execute()
    t.ok((await depth(world.sqs, world.queueUrl)) >= 1)
  })
}
