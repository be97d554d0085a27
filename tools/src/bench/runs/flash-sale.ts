// 4. flash-sale: one hot product, 10,000 units, every buyer hammering it for the whole run (demand ≫
// stock). With --open-after the sale is scheduled (`sale_starts_at`) to open that far into the load.
// Requests answered per second, accepted orders per second from the opening to the last 202; then,
// after the queue drained, the invariants of docs/correctness.md from MySQL and inventory-service.
import { saleProduct, scheduledSaleProduct, soldOutProduct } from '../../load/scenarios/products.ts'
import { saleChecks } from '../readings/sale-checks.ts'
import { commitRates, terminalAfterMs } from '../readings/finalizer-rate.ts'
import {
  COUNT_SAMPLE_MS,
  orderCounts,
  productRow,
  sampleCounts,
  waitForDrain,
} from '../readings/orders-db.ts'
import type { ScenarioResult } from '../report/types.ts'
import {
  countersSince,
  describe,
  flagStatuses,
  orderLoad,
  saleLoad,
  type ScenarioContext,
  warmUp,
} from './context.ts'

/** Enough units that the time to sell out is measurable (1,000 sold in ~0.7 s either way: noise). */
export const FLASH_STOCK = 10_000

export async function flashSale(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { platform, options } = ctx
  const notes: string[] = []
  const base = await orderLoad(ctx, 'flash-sale')
  // Warm up on a product of its own with nothing to sell: the hot product's stock is left untouched.
  if (options.warmupS > 0) {
    const cold = await soldOutProduct(platform.admin, 'bench warm-up')
    await warmUp(ctx, 'flash-sale', { ...base, productId: cold.id }, [409])
  }
  const opening = options.openAfterS > 0
  const scheduled = opening
    ? await scheduledSaleProduct(platform.admin, 'bench flash sale', FLASH_STOCK, options.openAfterS)
    : undefined
  const product = scheduled?.product ?? (await saleProduct(platform.admin, 'bench flash sale', FLASH_STOCK))
  const sampler = sampleCounts(platform.db, product.id)
  try {
    const counters = await countersSince(ctx)
    const sale = await saleLoad(ctx, { ...base, productId: product.id }, FLASH_STOCK, scheduled)
    if (scheduled)
      notes.push(
        `the scheduled sale opened ${Math.round(sale.openedAtMs - sale.run.startedAtMs)} ms into the load (by this machine's clock)`,
      )
    flagStatuses(ctx, 'flash-sale', sale.stats, [202, 409])
    const { accepted, soldOutAtMs, soldOut, sellOutMs } = sale
    if (!soldOut)
      notes.push(
        `did not sell out within the run (${accepted} of ${FLASH_STOCK} units): no sell-out time; a longer --sale-max measures one`,
      )
    ctx.say(describe('flash-sale', sale.stats))
    ctx.say(
      `flash-sale: ${accepted} accepted${sellOutMs === null ? ' (not sold out)' : `, sold out in ${Math.round(sellOutMs)} ms`}; waiting for the queue to drain`,
    )
    const drained = await waitForDrain(sampler.latest, accepted, options.drainTimeoutS * 1000, ctx.signal)
    await sampler.stop()
    // "Every order terminal ≤ 5 s after the last request": the load's end is its last request.
    const terminalAfterLoadMs = drained ? terminalAfterMs(sampler.samples, sale.run.endedAtMs) : null
    const terminalAfterSellOutMs =
      drained && soldOutAtMs !== undefined ? terminalAfterMs(sampler.samples, soldOutAtMs) : null
    ctx.say(
      `flash-sale: every order terminal ${terminalAfterLoadMs === null ? 'n/a' : `${Math.round(terminalAfterLoadMs)} ms`} after the last request`,
    )
    if (!drained) ctx.problem(`flash-sale: the queue did not drain within ${options.drainTimeoutS} s`)
    const orders = await orderCounts(platform.db, product.id)
    const row = await productRow(platform.db, product.id)
    const live = await platform.inventory.getProduct(product.id)
    const checks = saleChecks({
      accepted,
      inFlightAtStop: sale.stats.connections,
      soldOut,
      product: row,
      orders,
      inventoryStock: live.ok ? live.data.stock : undefined,
    })
    if (!live.ok) notes.push(`GET /api/products/${product.id} answered ${live.status}: I4 not checked`)
    for (const c of checks) ctx.say(`flash-sale ${c.id} ${c.pass ? 'PASS' : 'FAIL'}: ${c.detail}`)
    for (const c of checks.filter((c) => !c.pass)) ctx.problem(`flash-sale ${c.id} FAILED: ${c.detail}`)
    const rates = commitRates(sampler.samples, sale.run.endedAtMs)
    return {
      name: 'flash-sale',
      load: sale.stats,
      // Not sold out: the rate over the rest of the run, from the opening to the end of the load.
      acceptedPerS: sale.acceptedPerS,
      sellOutMs,
      terminalAfterLoadMs,
      terminalAfterSellOutMs,
      terminalSampleMs: COUNT_SAMPLE_MS,
      finalizer: { completed: orders.completed, failed: orders.failed, drained, ...rates },
      checks,
      counters: await counters(),
      notes,
    }
  } finally {
    await sampler.stop()
  }
}
