// One measured load run of the bench: the engine's runner with the engine's order requests (a JSON
// body, buyer tokens rotating per request), wrapped in what only the harness can read on this box:
// CPU per process and the connection attempts the kernel dropped.
import { type CannonRun, runCannon } from '../load/engine/cannon.ts'
import type { RunStats } from '../load/engine/recorder.ts'
import { type OrderLoad, orderLoad } from '../load/scenarios/orders-load.ts'
import { cpuSample, cpuUse, listenOverflows } from './readings/host-stats.ts'
import type { LoadStats } from './report/types.ts'
import { byClass, steadyLatencies } from './readings/timeline.ts'

/** The engine's order load against the bench's targets, and the processes whose CPU is measured. */
export interface LoadSpec extends OrderLoad {
  /** Called for every response with its status, `performance.now()` and its latency (ms). */
  onResponse?: (status: number, atMs: number, latencyMs: number) => void
  /** Processes whose CPU use is measured over the run (the load generator itself is always added). */
  pids?: Record<string, number | undefined>
}

export interface LoadRun {
  stats: LoadStats
  startedAtMs: number
  endedAtMs: number
}

/** The bench's view of an engine run: every answer's HDR percentiles, by-class and per-second series. */
export function loadStatsOf(run: RunStats, connections: number, steadyP99Ms?: number): LoadStats {
  const l = run.latency
  return {
    connections,
    durationS: run.durationS,
    responses: run.responses,
    rps: run.rps,
    p50Ms: l.p50 ?? NaN,
    p90Ms: l.p90 ?? NaN,
    p99Ms: l.p99 ?? NaN,
    maxMs: l.max ?? NaN,
    statuses: run.statuses,
    errors: run.errorCount,
    timeouts: run.timeouts,
    steadyP99Ms,
    bySecond: byClass(run.series),
    maxMsBySecond: run.series.max.map((m) => m ?? 0),
    hdr: { latency: l, distribution: run.distribution, series: run.series },
  }
}

/**
 * Runs `load` (an engine run: a plain order load, a sale …) and reads around it what only the harness
 * can: CPU per process, the kernel's dropped connection attempts, the p99 once every connection is open.
 */
export async function measured<T extends { run: CannonRun }>(
  spec: Pick<LoadSpec, 'connections' | 'pids'>,
  load: (
    onResponse: (status: number, atMs: number, latencyMs: number) => void,
    onStart: () => void,
  ) => Promise<T>,
): Promise<T & { stats: LoadStats }> {
  const pids = { 'load generator': process.pid, ...spec.pids }
  const overflowsBefore = await listenOverflows()
  const cpuBefore = await cpuSample(pids)
  const steady = steadyLatencies()
  const result = await load(
    (_status, at, latencyMs) => steady.record(at, latencyMs),
    () => steady.start(performance.now()),
  )
  const cpuAfter = await cpuSample(pids)
  const overflowsAfter = await listenOverflows()
  const stats = loadStatsOf(result.run.stats, spec.connections, steady.p99())
  if (overflowsBefore !== undefined && overflowsAfter !== undefined)
    stats.listenOverflows = overflowsAfter - overflowsBefore
  if (cpuBefore && cpuAfter) stats.cpu = cpuUse(cpuBefore, cpuAfter)
  return { ...result, stats }
}

/** The engine's order load on one product, measured. */
export async function runLoad(spec: LoadSpec): Promise<LoadRun> {
  const { stats, run } = await measured(spec, async (onResponse, onStart) => ({
    run: await runCannon({
      ...orderLoad(spec),
      onStart,
      onResponse: (status, at, latencyMs) => {
        onResponse(status, at, latencyMs)
        spec.onResponse?.(status, at, latencyMs)
      },
    }),
  }))
  return { stats, startedAtMs: run.startedAtMs, endedAtMs: run.endedAtMs }
}
