// 1. baseline: the engine's sold-out scenario with its orders sent (--orders-url) to a bare Fastify 5
// POST handler with the same JSON body schema, in its own process: the same load as sold-out (same
// connections, body, the same rotating Authorization headers); set-up and audit on the stack.
import { startChild } from '../child.ts'
import type { ScenarioResult } from '../report/types.ts'
import { connections, type RunContext } from './context.ts'
import { runEngine } from './engine.ts'
import { offeredRate } from './sold-out-rate.ts'

export async function baseline(ctx: RunContext): Promise<ScenarioResult> {
  const server = await startChild({
    label: 'baseline',
    script: 'tools/src/bench/references/baseline-server.ts',
    env: { PATH: process.env.PATH },
    output: ctx.log.sink,
  })
  try {
    const spec = {
      scenario: 'sold-out',
      args: ['--orders-url', server.url],
      expected: [409],
      pids: { baseline: server.proc.pid },
    } as const
    const { load } = await runEngine(ctx, 'baseline', spec)
    const result: ScenarioResult = { name: 'baseline', load, notes: [] }
    // The reference for sold-out-rate's latency: the same fixed-rate load on the bare handler.
    const rate = offeredRate(ctx.options.rate, load.rps)
    if (ctx.options.scenarios.includes('sold-out-rate') && rate) {
      ctx.say(`baseline at ${rate} req/s:`)
      const atRate = await runEngine(ctx, 'baseline', {
        ...spec,
        // Right after the saturated run: warm already.
        args: [...spec.args, '--rate', String(rate), '--warmup', '0'],
        connections: connections(ctx, 'sold-out-rate'),
      })
      result.atRate = { rate, load: atRate.load }
    }
    return result
  } finally {
    await server.stop()
  }
}
