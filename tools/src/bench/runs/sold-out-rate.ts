// 2b. sold-out-rate: the engine's sold-out scenario at a chosen load instead of at saturation. A closed
// loop of 1,000 connections has a mean latency of 1,000 ÷ throughput (Little's law), so a latency
// target only means something at a fixed offered rate: half the bare handler's req/s of this run
// (the engine's --rate, autocannon overallRate), over enough connections that the rate is reachable.
import type { ScenarioResult } from '../report/types.ts'
import type { RunContext } from './context.ts'
import { runEngine } from './engine.ts'

/** The offered rate: --rate, else half the same run's bare-handler req/s. */
export function offeredRate(rate: number | undefined, baselineRps: number | undefined): number | undefined {
  if (rate) return rate
  return baselineRps && baselineRps > 0 ? Math.round(baselineRps / 2) : undefined
}

export async function soldOutRate(ctx: RunContext): Promise<ScenarioResult> {
  const rate = offeredRate(ctx.options.rate, ctx.results.baseline?.load?.rps)
  if (!rate) throw new Error('no offered rate: baseline did not produce a req/s and --rate was not given')
  ctx.say(`sold-out-rate: offering ${rate} req/s`)
  const { load, readings } = await runEngine(ctx, 'sold-out-rate', {
    scenario: 'sold-out',
    args: ['--rate', String(rate)],
    expected: [409],
  })
  const notes =
    load.rps < rate * 0.9
      ? [
          `only ${Math.round(load.rps)} of the ${rate} req/s offered were answered: each connection waits for ` +
            'its answer, so the latency of the requests never sent is missing (coordinated omission)',
        ]
      : []
  return { name: 'sold-out-rate', load, offeredRate: rate, counters: await readings.counters(), notes }
}
