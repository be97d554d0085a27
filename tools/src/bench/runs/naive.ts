// 5. naive: the engine's flash-sale scenario with its orders sent (--orders-url) to the synchronous
// SELECT … FOR UPDATE design (references/naive-server.ts, Kysely pool 50) on the stack's database —
// same connections, buyers, opening and stopping rule. That design has no schedule and no Redis: its
// sale opens by an admin restock (--open-by restock) and the audit reads the stock it keeps in MySQL
// from it (--stock-url). The flash-sale numbers are measured against it.
import { startChild } from '../child.ts'
import type { ScenarioResult } from '../report/types.ts'
import type { RunContext } from './context.ts'
import { runEngine } from './engine.ts'
import { saleArgs } from './flash-sale.ts'

export const NAIVE_POOL = 50

export async function naive(ctx: RunContext): Promise<ScenarioResult> {
  const { platform } = ctx
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
    const { outcome, load } = await runEngine(ctx, 'naive', {
      scenario: 'flash-sale',
      args: [...saleArgs(ctx), '--open-by', 'restock', '--orders-url', server.url, '--stock-url', server.url],
      expected: [201, 409],
      pids: { naive: server.proc.pid },
    })
    const m = outcome.metrics
    ctx.say(
      `naive: ${m.accepted} accepted${m.sellout_ms == null ? ' (not sold out)' : `, sold out in ${Math.round(m.sellout_ms)} ms`}`,
    )
    return {
      name: 'naive',
      load,
      // Not sold out: the rate over the rest of the run, from the opening to the end of the load.
      acceptedPerS: m.accepted_per_s ?? undefined,
      sellOutMs: m.sellout_ms ?? null,
      checks: outcome.audit.checks,
      notes: outcome.notes,
    }
  } finally {
    await server.stop()
  }
}
