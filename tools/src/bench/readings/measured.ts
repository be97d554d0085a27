// What the harness reads around an engine scenario's measured load (the engine's Measure hooks):
// CPU per process, the connection attempts the kernel dropped, the p99 once every connection is open,
// the services' counters; and the bench's view of the engine's run (LoadStats).
import type { Measure } from '../../load/engine/cannon.ts'
import type { RunStats } from '../../load/engine/recorder.ts'
import type { LoadStats } from '../report/types.ts'
import { diffCounters, scrapeCounters } from './counters.ts'
import { type CpuSample, cpuSample, cpuUse, listenOverflows } from './host-stats.ts'
import { byClass, steadyLatencies } from './timeline.ts'

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

export interface Readings extends Measure {
  /** `performance.now()` when the measured load started and ended (undefined: it never ran). */
  startedAtMs: number | undefined
  endedAtMs: number | undefined
  /** Service counters that moved from the start of the measured load until now (read after the drain). */
  counters(): Promise<Record<string, number>>
  /** The engine's run with what was read around it. */
  stats(run: RunStats): LoadStats
}

/**
 * Readings for one measured load. `pids`: the processes whose CPU is read (the load generator is
 * always added); `also`: a run's own hooks (MySQL samples, the sell-out), called after these.
 */
export function readingsFor(opts: {
  pids: Record<string, number | undefined>
  connections: number
  counterUrls: readonly string[]
  also?: Partial<Measure>
}): Readings {
  const pids = { 'load generator': process.pid, ...opts.pids }
  const steady = steadyLatencies()
  let overflows: number | undefined
  let cpu: [CpuSample | undefined, CpuSample | undefined] = [undefined, undefined]
  let countersBefore = new Map<string, number>()
  const r: Readings = {
    startedAtMs: undefined,
    endedAtMs: undefined,
    counters: async () => diffCounters(countersBefore, await scrapeCounters(opts.counterUrls)),
    async started() {
      countersBefore = await scrapeCounters(opts.counterUrls)
      overflows = await listenOverflows()
      cpu = [await cpuSample(pids), undefined]
      r.startedAtMs = performance.now()
      steady.start(r.startedAtMs)
      await opts.also?.started?.()
    },
    response(status, atMs, latencyMs) {
      steady.record(atMs, latencyMs)
      opts.also?.response?.(status, atMs, latencyMs)
    },
    async ended() {
      r.endedAtMs = performance.now()
      cpu = [cpu[0], await cpuSample(pids)]
      const after = await listenOverflows()
      overflows = overflows === undefined || after === undefined ? undefined : after - overflows
      await opts.also?.ended?.()
    },
    stats(run) {
      const stats = loadStatsOf(run, opts.connections, steady.p99())
      stats.listenOverflows = overflows
      const [a, b] = cpu
      if (a && b) stats.cpu = cpuUse(a, b)
      return stats
    },
  }
  return r
}
