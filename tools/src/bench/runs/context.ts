// What every scenario gets, and the pieces they share: warm-up, status bookkeeping, sell-out timing.
import { type BenchOptions, connectionsFor } from '../args.ts'
import { diffCounters, scrapeCounters } from '../readings/counters.ts'
import { orderLoad as engineOrderLoad } from '../../load/scenarios/orders-load.ts'
import { runSale, type SaleRun } from '../../load/scenarios/sale.ts'
import { type LoadRun, type LoadSpec, measured, runLoad } from '../load.ts'
import type { Platform } from '../platform.ts'
import { fmtNum, formatStatuses } from '../report/format.ts'
import { unexpectedStatuses } from '../report/targets.ts'
import type { LoadStats, Results, ScenarioName } from '../report/types.ts'
import type { ServiceLog } from '../service-log.ts'

export interface ScenarioContext {
  options: BenchOptions
  platform: Platform
  signal: AbortSignal
  log: ServiceLog
  say: (line: string) => void
  /** The scenarios that already ran (sold-out-rate derives its rate from baseline). */
  results: Results
  /** Something a human should look at (5xx, errors, crashes): goes to the report's problems list. */
  problem: (line: string) => void
}

/**
 * The engine's order load as every order run of the bench sends it, minus the product: `--duration`
 * seconds at the run's connections, buyer tokens rotating per request, CPU measured for the
 * platform's processes. Aimed at the order-service instances, or at a reference server (baseline,
 * naive: `label` names its process in the CPU table).
 */
export async function orderLoad(
  ctx: ScenarioContext,
  scenario: ScenarioName,
  server?: { url: string; label: string; pid: number | undefined },
): Promise<Omit<LoadSpec, 'productId'> & { pids: Record<string, number | undefined> }> {
  const { platform, options } = ctx
  return {
    bases: server ? [server.url] : platform.base.orders,
    connections: connections(ctx, scenario),
    durationS: options.durationS,
    timeoutS: 10,
    tokens: await platform.tokensFor(options.durationS * 2),
    signal: ctx.signal,
    pids: server ? { ...platform.pids(), [server.label]: server.pid } : platform.pids(),
  }
}

export function connections(ctx: ScenarioContext, scenario: ScenarioName): number {
  return connectionsFor(ctx.options, scenario)
}

/** Records statuses other than `expected` (and connection errors) as a problem. */
export function flagStatuses(
  ctx: ScenarioContext,
  what: string,
  stats: LoadStats,
  expected: readonly number[],
): void {
  const odd = unexpectedStatuses(stats, expected)
  if (Object.keys(odd).length) {
    ctx.problem(
      `${what}: unexpected answers ${Object.entries(odd)
        .map(([s, n]) => `${s}×${n}`)
        .join(
          ' ',
        )} (expected only ${expected.join('/')}; all: ${formatStatuses(stats.statuses, stats.errors)})`,
    )
  }
}

/** A discarded run before the measured one (JIT, connection pools, caches), if --warmup > 0. */
export async function warmUp(
  ctx: ScenarioContext,
  what: string,
  spec: LoadSpec,
  expected: readonly number[],
): Promise<LoadRun | undefined> {
  if (ctx.options.warmupS <= 0) return undefined
  const run = await runLoad({ ...spec, durationS: ctx.options.warmupS })
  flagStatuses(ctx, `${what} (warm-up)`, run.stats, expected)
  return run
}

export const twoXx = (stats: LoadStats) =>
  Object.entries(stats.statuses).reduce(
    (sum, [s, n]) => (Number(s) >= 200 && Number(s) < 300 ? sum + n : sum),
    0,
  )

export function describe(name: string, stats: LoadStats): string {
  return `${name}: ${Math.round(stats.rps)} req/s, p50 ${fmtNum(stats.p50Ms, 1)} ms, p99 ${fmtNum(stats.p99Ms, 1)} ms, ${formatStatuses(stats.statuses, stats.errors)}`
}

/** Snapshot of the order-service and finalizer counters; call the result for the change since. */
export async function countersSince(ctx: ScenarioContext): Promise<() => Promise<Record<string, number>>> {
  const urls = [
    ...(ctx.platform.stack.urls['order-service'] ?? []),
    ...(ctx.platform.stack.urls['order-finalizer'] ?? []),
  ]
  const before = await scrapeCounters(urls)
  return async () => diffCounters(before, await scrapeCounters(urls))
}

/**
 * The engine's flash sale (tools/src/load/scenarios/sale.ts) on `spec`'s product, measured: it lasts
 * --duration, longer if not sold out by then, at most --sale-max; with --open-after > 0 `open()`
 * makes the units available that far into the load.
 */
export function saleLoad(
  ctx: ScenarioContext,
  spec: LoadSpec,
  units: number,
  opening: { open: () => Promise<void> } | { opensAtMs: number } | undefined,
): Promise<SaleRun & { stats: LoadStats }> {
  return measured(spec, (onResponse, onStart) =>
    runSale({
      load: { ...engineOrderLoad(spec), onStart, onResponse },
      units,
      maxS: ctx.options.saleMaxS,
      openAfterS: ctx.options.openAfterS,
      ...opening,
    }),
  )
}
