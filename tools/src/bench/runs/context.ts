// What every run of the bench gets, and how it tells the report about odd answers.
import { type BenchOptions, connectionsFor } from '../args.ts'
import type { Platform } from '../platform.ts'
import { fmtNum, formatStatuses } from '../report/format.ts'
import { unexpectedStatuses } from '../report/targets.ts'
import type { LoadStats, Results, ScenarioName } from '../report/types.ts'
import type { ServiceLog } from '../service-log.ts'

export interface RunContext {
  options: BenchOptions
  platform: Platform
  signal: AbortSignal
  log: ServiceLog
  say: (line: string) => void
  /** The runs that already ran (sold-out-rate derives its rate from baseline). */
  results: Results
  /** Something a human should look at (5xx, errors, crashes): goes to the report's problems list. */
  problem: (line: string) => void
}

export const connections = (ctx: RunContext, run: ScenarioName) => connectionsFor(ctx.options, run)

/** Records statuses other than `expected` (and connection errors) as a problem. */
export function flagStatuses(ctx: RunContext, what: string, stats: LoadStats, expected: readonly number[]) {
  const odd = Object.entries(unexpectedStatuses(stats, expected))
  if (odd.length)
    ctx.problem(
      `${what}: unexpected answers ${odd.map(([s, n]) => `${s}×${n}`).join(' ')} ` +
        `(expected only ${expected.join('/')}; all: ${formatStatuses(stats.statuses, stats.errors)})`,
    )
}

export function describe(name: string, stats: LoadStats): string {
  return `${name}: ${Math.round(stats.rps)} req/s, p50 ${fmtNum(stats.p50Ms, 1)} ms, p99 ${fmtNum(stats.p99Ms, 1)} ms, ${formatStatuses(stats.statuses, stats.errors)}`
}
