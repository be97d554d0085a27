// 2b. sold-out-rate: the sold-out path at a chosen load instead of at saturation. A closed loop of
// 1,000 connections has a mean latency of 1,000 ÷ throughput (Little's law), so a latency target
// only means something at a fixed offered rate: half the bare handler's req/s of this run
// (autocannon overallRate), over enough connections that the rate is reachable.
import { soldOutProduct } from '../../load/scenarios/products.ts'
import { runLoad } from '../load.ts'
import type { ScenarioResult } from '../report/types.ts'
import { countersSince, describe, flagStatuses, orderLoad, type ScenarioContext, warmUp } from './context.ts'

/** The offered rate: --rate, else half the same run's bare-handler req/s. */
export function offeredRate(rate: number | undefined, baselineRps: number | undefined): number | undefined {
  if (rate) return rate
  return baselineRps && baselineRps > 0 ? Math.round(baselineRps / 2) : undefined
}

export async function soldOutRate(ctx: ScenarioContext): Promise<ScenarioResult> {
  const rate = offeredRate(ctx.options.rate, ctx.results.baseline?.load?.rps)
  if (!rate) throw new Error('no offered rate: baseline did not produce a req/s and --rate was not given')
  const product = await soldOutProduct(ctx.platform.admin, 'bench sold-out at a rate')
  const spec = { ...(await orderLoad(ctx, 'sold-out-rate')), rate, productId: product.id }
  ctx.say(`sold-out-rate: offering ${rate} req/s over ${spec.connections} connections`)
  await warmUp(ctx, 'sold-out-rate', spec, [409])
  const counters = await countersSince(ctx)
  const run = await runLoad(spec)
  const stats = run.stats
  flagStatuses(ctx, 'sold-out-rate', stats, [409])
  ctx.say(describe('sold-out-rate', stats))
  const notes: string[] = []
  if (stats.rps < rate * 0.9) {
    notes.push(
      `only ${Math.round(stats.rps)} of the ${rate} req/s offered were answered: each connection waits for ` +
        'its answer, so the latency of the requests never sent is missing (coordinated omission)',
    )
  }
  return {
    name: 'sold-out-rate',
    load: stats,
    offeredRate: rate,
    counters: await counters(),
    notes,
  }
}
