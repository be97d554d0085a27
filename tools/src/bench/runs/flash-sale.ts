// 4. flash-sale: the engine's flash-sale scenario — one hot product, 10,000 units, every connection
// hammering it (demand ≫ stock), the sale scheduled (`sale_starts_at`) to open --open-after s into the
// load, which runs until sold out (at most --sale-max); the engine drains the queue and audits the
// sale (and inventory-service's stock-state: I4). Around it the harness samples MySQL every 250 ms for
// when every order was terminal after the last request (and after the sell-out), and the finalizer.
import { acceptedTracker } from '../../load/scenarios/sale.ts'
import { commitRates, terminalAfterMs } from '../readings/finalizer-rate.ts'
import { COUNT_SAMPLE_MS, lastOrderId, sampleCounts, waitForDrain } from '../readings/orders-db.ts'
import type { ScenarioResult } from '../report/types.ts'
import type { RunContext } from './context.ts'
import { checksOf, runEngine } from './engine.ts'

/** Enough units that the time to sell out is measurable (1,000 sold in ~0.7 s either way: noise). */
export const FLASH_STOCK = 10_000

/** The engine's flags of a flash sale as the bench runs it (naive: the same, opened by a restock). */
export const saleArgs = (ctx: RunContext) => [
  ...['--stock', String(FLASH_STOCK), '--open-after', String(ctx.options.openAfterS)],
  ...['--sale-max', String(ctx.options.saleMaxS)],
]

export async function flashSale(ctx: RunContext): Promise<ScenarioResult> {
  const { platform, options } = ctx
  const sampler = sampleCounts(platform.db, await lastOrderId(platform.db))
  // The sell-out on this process's clock, to place it among the MySQL samples.
  const sold = acceptedTracker(FLASH_STOCK)
  try {
    const { outcome, readings, load } = await runEngine(ctx, 'flash-sale', {
      scenario: 'flash-sale',
      args: saleArgs(ctx),
      expected: [202, 409],
      also: { response: (status, atMs) => sold.onResponse(status, atMs) },
    })
    const m = outcome.metrics
    // The engine has drained through the API; MySQL agrees within a sample or two.
    const drained = await waitForDrain(sampler.latest, m.accepted ?? 0, 5_000, ctx.signal)
    await sampler.stop()
    if (!drained) ctx.problem(`flash-sale: the queue did not drain within ${options.drainTimeoutS} s`)
    const endedAtMs = readings.endedAtMs ?? 0
    // "Every order terminal ≤ 5 s after the last request": the load's end is its last request.
    const terminalAfterLoadMs = drained ? terminalAfterMs(sampler.samples, endedAtMs) : null
    const soldOutAtMs = sold.state.soldOutAtMs
    const terminalAfterSellOutMs =
      drained && soldOutAtMs !== undefined ? terminalAfterMs(sampler.samples, soldOutAtMs) : null
    ctx.say(
      `flash-sale: ${m.accepted} accepted${m.sellout_ms == null ? ' (not sold out)' : `, sold out in ${Math.round(m.sellout_ms)} ms`}; ` +
        `every order terminal ${terminalAfterLoadMs === null ? 'n/a' : `${Math.round(terminalAfterLoadMs)} ms`} after the last request`,
    )
    const last = sampler.samples.at(-1)
    const checks = checksOf(outcome)
    for (const c of checks) ctx.say(`flash-sale ${c.id} ${c.pass ? 'PASS' : 'FAIL'}: ${c.detail}`)
    return {
      name: 'flash-sale',
      load,
      // Not sold out: the rate over the rest of the run, from the opening to the end of the load.
      acceptedPerS: m.accepted_per_s ?? undefined,
      sellOutMs: m.sellout_ms ?? null,
      terminalAfterLoadMs,
      terminalAfterSellOutMs,
      terminalSampleMs: COUNT_SAMPLE_MS,
      finalizer: {
        completed: last?.completed ?? 0,
        failed: last?.failed ?? 0,
        drained,
        ...commitRates(sampler.samples, endedAtMs),
      },
      checks,
      counters: await readings.counters(),
      notes: outcome.notes,
    }
  } finally {
    await sampler.stop()
  }
}
