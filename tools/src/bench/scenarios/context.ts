// What every scenario gets, and the pieces they share: warm-up, status bookkeeping, sell-out timing.
import { type BenchOptions, connectionsFor } from '../args.ts'
import { diffCounters, scrapeCounters } from '../counters.ts'
import { type LoadRun, type LoadSpec, runLoad } from '../load.ts'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Platform } from '../platform.ts'
import { saleOver } from './sale-end.ts'
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

export const orderBody = (productId: number) => JSON.stringify({ product_id: productId, quantity: 1 })

/**
 * The load every order scenario sends, minus its body: `--duration` seconds at the scenario's
 * connections, buyer tokens rotating per request, CPU measured for the platform's processes. Aimed at
 * the order-service instances, or at a server of the scenario's own (baseline, naive: `label` names
 * its process in the CPU table).
 */
export async function orderLoad(
  ctx: ScenarioContext,
  scenario: ScenarioName,
  server?: { url: string; label: string; pid: number | undefined },
): Promise<Omit<LoadSpec, 'body' | 'pids'> & { pids: Record<string, number | undefined> }> {
  const { platform, options } = ctx
  return {
    urls: server ? [`${server.url}/api/orders`] : platform.base.orders.map((u) => `${u}/api/orders`),
    connections: connections(ctx, scenario),
    durationS: options.durationS,
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

/**
 * Counts 2xx answers and remembers when the last one arrived. Each order is for one unit, so the sale
 * has sold out when `units` orders were accepted: that answer's time is the sell-out time. (A 409 is
 * no proof: right after the opening a refusal can still come from a sold-out mark not yet cleared.)
 */
export function acceptedTracker(units: number) {
  const t = {
    accepted: 0,
    lastAtMs: undefined as number | undefined,
    openedAtMs: undefined as number | undefined,
    soldOut: false,
    /** `performance.now()` of the answer that accepted the last unit. */
    soldOutAtMs: undefined as number | undefined,
  }
  return {
    state: t,
    onResponse: (status: number, atMs: number) => {
      if (status < 200 || status >= 300) return
      t.accepted++
      t.lastAtMs = atMs
      if (t.accepted >= units && !t.soldOut) {
        t.soldOut = true
        t.soldOutAtMs = atMs
      }
    },
  }
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

export interface SaleRun {
  run: LoadRun
  /** `performance.now()` when the stock was made available (the sale opened); the load start otherwise. */
  openedAtMs: number
  /** How long making the stock available took (restock call / UPDATE), if it happened during the load. */
  openTookMs?: number
}

/**
 * The load of a flash sale. With --open-after > 0 the product has no stock when the load starts: every
 * connection is open and being refused when `open()` makes the units available, so the sell-out time
 * measures the sale, not a thousand TCP handshakes. The load lasts --duration, longer if the sale has not
 * sold out by then (see sale-end.ts), at most --sale-max.
 */
export async function saleLoad(
  ctx: ScenarioContext,
  spec: LoadSpec,
  open: (() => Promise<void>) | undefined,
  /** Told when the units are for sale (after the restock answered, or at the start without one). */
  onOpened: (atMs: number) => void,
  /** `performance.now()` at which the sale was seen sold out, if it was. */
  soldOutAtMs: () => number | undefined,
): Promise<SaleRun> {
  const ended = new AbortController()
  const signals = [ended.signal, ...(spec.signal ? [spec.signal] : [])]
  const startMs = performance.now()
  const watch = setInterval(() => {
    const soldOut = soldOutAtMs()
    const over = saleOver({
      elapsedMs: performance.now() - startMs,
      minMs: spec.durationS * 1000,
      maxMs: ctx.options.saleMaxS * 1000,
      soldOutAtMs: soldOut === undefined ? undefined : soldOut - startMs,
    })
    if (over) ended.abort()
  }, 100)
  // autocannon's own duration is only the backstop: the watch above ends the load.
  const running = runLoad({
    ...spec,
    durationS: ctx.options.saleMaxS + 1,
    signal: AbortSignal.any(signals),
  })
  try {
    if (!open) {
      onOpened(startMs)
      const run = await running
      return { run, openedAtMs: run.startedAtMs }
    }
    await sleep(ctx.options.openAfterS * 1000, undefined, { signal: ctx.signal })
    const openedAtMs = performance.now()
    await open()
    const openTookMs = performance.now() - openedAtMs
    onOpened(openedAtMs + openTookMs)
    return { run: await running, openedAtMs, openTookMs }
  } catch (error) {
    // Never leave the load running behind a failed opening.
    ended.abort()
    await running.catch(() => {})
    throw error
  } finally {
    clearInterval(watch)
  }
}
