// 5. naive: the synchronous SELECT … FOR UPDATE design (tools/src/bench/references/naive-server.ts, Kysely pool 50)
// under the same flash-sale workload — same connections, buyers, opening — on its own hot product
// written straight to MySQL (that design has no Redis). The flash-sale numbers are measured against it.
import type { Database } from '@flash/db'
import { type Kysely, sql } from 'kysely'
import { saleChecks } from '../readings/sale-checks.ts'
import { startChild } from '../child.ts'
import { orderCounts, productRow } from '../readings/orders-db.ts'
import type { ScenarioResult } from '../report/types.ts'
import { describe, flagStatuses, orderLoad, saleLoad, type ScenarioContext, warmUp } from './context.ts'
import { FLASH_STOCK } from './flash-sale.ts'

export const NAIVE_POOL = 50

async function insertProduct(db: Kysely<Database>, name: string, stock: number): Promise<number> {
  const result = await db
    .insertInto('products')
    .values({ name, price_cents: 4999, stock, supplied: stock, max_per_user: null })
    .executeTakeFirstOrThrow()
  return Number(result.insertId)
}

export async function naive(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { platform, options } = ctx
  const server = await startChild({
    label: 'naive',
    script: 'tools/src/bench/references/naive-server.ts',
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: platform.dbUrl,
      DB_POOL_SIZE: String(NAIVE_POOL),
      AUTH_JWKS_URL: platform.jwksUrl,
    },
    output: ctx.log.sink,
  })
  try {
    const base = await orderLoad(ctx, 'naive', { url: server.url, label: 'naive', pid: server.proc.pid })
    if (options.warmupS > 0) {
      const cold = await insertProduct(platform.db, 'naive warm-up', 0)
      await warmUp(ctx, 'naive', { ...base, productId: cold }, [409])
    }
    const opening = options.openAfterS > 0
    const productId = await insertProduct(platform.db, 'naive flash sale', opening ? 0 : FLASH_STOCK)
    // That design has no schedule: its sale opens by a restock, one UPDATE of the row (no cache to refresh).
    const open = opening
      ? async () => {
          await platform.db
            .updateTable('products')
            .set({ stock: sql`stock + ${FLASH_STOCK}`, supplied: sql`supplied + ${FLASH_STOCK}` })
            .where('id', '=', productId)
            .execute()
        }
      : undefined
    const sale = await saleLoad(ctx, { ...base, productId: productId }, FLASH_STOCK, open && { open })
    const notes =
      sale.openTookMs === undefined
        ? []
        : [`the UPDATE that opened the sale took ${Math.round(sale.openTookMs)} ms`]
    flagStatuses(ctx, 'naive', sale.stats, [201, 409])
    const { accepted, soldOut, sellOutMs } = sale
    if (!soldOut)
      notes.push(
        `did not sell out within the run (${accepted} of ${FLASH_STOCK} units): no sell-out time; a longer --sale-max measures one`,
      )
    ctx.say(describe('naive', sale.stats))
    ctx.say(
      `naive: ${accepted} accepted${sellOutMs === null ? ' (not sold out)' : `, sold out in ${Math.round(sellOutMs)} ms`}`,
    )
    // Requests cut off by the end of the load are still committing in the server: stop it (graceful,
    // then SIGKILL, either way every transaction commits or rolls back) so the stock and the orders
    // below are read from a database nobody writes to any more.
    await server.stop()
    // Synchronous: every 201 is already a completed order; the same invariants must hold.
    const checks = saleChecks({
      accepted,
      inFlightAtStop: sale.stats.connections,
      soldOut,
      product: await productRow(platform.db, productId),
      orders: await orderCounts(platform.db, productId),
    })
    for (const c of checks.filter((c) => !c.pass)) ctx.problem(`naive ${c.id} FAILED: ${c.detail}`)
    return {
      name: 'naive',
      load: sale.stats,
      // Not sold out: the rate over the rest of the run, from the opening to the end of the load.
      acceptedPerS: sale.acceptedPerS,
      sellOutMs,
      checks,
      notes,
    }
  } finally {
    await server.stop()
  }
}
