// 1. baseline: a bare Fastify 5 POST handler with the same JSON body schema, in its own process, under
// the same load as sold-out (same connections, same body, the same rotating Authorization headers).
import { startChild } from '../child.ts'
import { runLoad } from '../load.ts'
import type { ScenarioResult } from '../report/types.ts'
import { connections, describe, flagStatuses, orderLoad, type ScenarioContext, warmUp } from './context.ts'
import { offeredRate } from './sold-out-rate.ts'

export async function baseline(ctx: ScenarioContext): Promise<ScenarioResult> {
  const server = await startChild({
    label: 'baseline',
    script: 'tools/src/bench/references/baseline-server.ts',
    env: { PATH: process.env.PATH },
    output: ctx.log.sink,
  })
  try {
    const target = { url: server.url, label: 'baseline', pid: server.proc.pid }
    const spec = { ...(await orderLoad(ctx, 'baseline', target)), productId: 1 }
    await warmUp(ctx, 'baseline', spec, [409])
    const run = await runLoad(spec)
    flagStatuses(ctx, 'baseline', run.stats, [409])
    ctx.say(describe('baseline', run.stats))
    const result: ScenarioResult = { name: 'baseline', load: run.stats, notes: [] }
    // The reference for sold-out-rate's latency: the same fixed-rate load on the bare handler.
    const rate = offeredRate(ctx.options.rate, run.stats.rps)
    if (ctx.options.scenarios.includes('sold-out-rate') && rate) {
      const atRate = await runLoad({ ...spec, connections: connections(ctx, 'sold-out-rate'), rate })
      const load = atRate.stats
      ctx.say(`baseline at ${rate} req/s: ${describe('baseline', load)}`)
      result.atRate = { rate, load }
    }
    return result
  } finally {
    await server.stop()
  }
}
