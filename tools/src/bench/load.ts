// One measured load run of the bench: the engine's runner with the engine's order requests (a JSON
// body, buyer tokens rotating per request), wrapped in what only the harness can read on this box:
// CPU per process and the connection attempts the kernel dropped.
import { type CannonRun, runCannon } from '../load/engine/cannon.ts'
import type { RunStats } from '../load/engine/recorder.ts'
import { orderRequests } from '../load/scenarios/orders-load.ts'
import { cpuSample, cpuUse, listenOverflows } from './host-stats.ts'
import type { LoadStats } from './report/types.ts'
import { byClass, steadyLatencies } from './timeline.ts'

export interface LoadSpec {
  /** Full URLs (path included); connections are spread over them (several instances). */
  urls: readonly string[]
  connections: number
  durationS: number
  /** Fixed overall request rate (autocannon overallRate): an open-ish loop at a chosen load. */
  rate?: number | undefined
  body: string
  /** Bearer tokens, rotating per request (each connection over its own window of them). */
  tokens: readonly string[]
  signal?: AbortSignal
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

export async function runLoad(spec: LoadSpec): Promise<LoadRun> {
  if (spec.tokens.length === 0) throw new Error('runLoad needs at least one token')
  const pids = { 'load generator': process.pid, ...spec.pids }
  const overflowsBefore = await listenOverflows()
  const cpuBefore = await cpuSample(pids)
  const steady = steadyLatencies()
  const run: CannonRun = await runCannon({
    url: spec.urls,
    method: 'POST',
    body: spec.body,
    connections: spec.connections,
    rate: spec.rate,
    durationS: spec.durationS,
    timeoutS: 10,
    requestsFor: (k) => orderRequests(spec.tokens, k, spec.connections),
    signal: spec.signal,
    onStart: () => steady.start(performance.now()),
    onResponse: (status, at, latencyMs) => {
      steady.record(at, latencyMs)
      spec.onResponse?.(status, at, latencyMs)
    },
  })
  const cpuAfter = await cpuSample(pids)
  const overflowsAfter = await listenOverflows()
  const stats = loadStatsOf(run.stats, spec.connections, steady.p99())
  if (overflowsBefore !== undefined && overflowsAfter !== undefined)
    stats.listenOverflows = overflowsAfter - overflowsBefore
  if (cpuBefore && cpuAfter) stats.cpu = cpuUse(cpuBefore, cpuAfter)
  return { stats, startedAtMs: run.startedAtMs, endedAtMs: run.endedAtMs }
}
