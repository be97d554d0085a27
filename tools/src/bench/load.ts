// One autocannon run: POST a JSON body with buyer tokens rotating per request, numbers straight from
// autocannon's result.
import autocannon from 'autocannon'
import { cpuSample, cpuUse, listenOverflows } from './host-stats.ts'
import { Recorder } from '../load/recorder.ts'
import { byClass, steadyLatencies } from './timeline.ts'
import type { LoadStats } from './report/types.ts'

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
  /** `performance.now()` when autocannon emitted `start`. */
  startedAtMs: number
  endedAtMs: number
}

/** Tokens each connection rotates over: its requests are prebuilt, so this bounds the set-up cost. */
export const TOKENS_PER_CONNECTION = 20

/**
 * The requests of connection `k` of `connections`: one per token of a window of the buyers' tokens,
 * windows spread evenly so every buyer is in use. Prebuilt once per connection; each request then
 * just takes the next one (no per-request rebuild in the load generator).
 */
export function tokenWindow(tokens: readonly string[], k: number, connections: number): string[] {
  const size = Math.min(TOKENS_PER_CONNECTION, tokens.length)
  const offset = Math.floor((k * tokens.length) / Math.max(1, connections)) % tokens.length
  return Array.from({ length: size }, (_, i) => tokens[(offset + i) % tokens.length]!)
}

function requestsFor(tokens: readonly string[]): autocannon.Request[] {
  return tokens.map((token) => ({
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  }))
}

/** `windowS`: seconds from autocannon's `start` to its result (its own `duration` also counts set-up). */
export function statsOf(result: autocannon.Result, connections: number, windowS: number): LoadStats {
  const statuses: Record<string, number> = {}
  for (const [status, s] of Object.entries(result.statusCodeStats ?? {})) {
    statuses[status] = (s as { count?: number }).count ?? 0
  }
  const responses = Object.values(statuses).reduce((a, b) => a + b, 0)
  return {
    connections,
    durationS: windowS,
    responses,
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
  }
}

export async function runLoad(spec: LoadSpec): Promise<LoadRun> {
  const pids = { 'load generator': process.pid, ...spec.pids }
  const overflowsBefore = await listenOverflows()
  const cpuBefore = await cpuSample(pids)
  const run = await autocannonRun(spec)
  const cpuAfter = await cpuSample(pids)
  const overflowsAfter = await listenOverflows()
  if (overflowsBefore !== undefined && overflowsAfter !== undefined) {
    run.stats.listenOverflows = overflowsAfter - overflowsBefore
  }
  if (cpuBefore && cpuAfter) run.stats.cpu = cpuUse(cpuBefore, cpuAfter)
  return run
}

function autocannonRun(spec: LoadSpec): Promise<LoadRun> {
  if (spec.tokens.length === 0) throw new Error('runLoad needs at least one token')
  if (spec.signal?.aborted) return Promise.reject(new Error('aborted'))
  let client = 0
  let startedAtMs = performance.now()
  const steady = steadyLatencies()
  // Every answer (any status) into the load tool's recorder: HDR percentiles and per-second series.
  let recorder = new Recorder()
  return new Promise<LoadRun>((resolve, reject) => {
    const instance = autocannon(
      {
        // autocannon accepts several URLs and spreads the connections over them.
        url: (spec.urls.length === 1 ? spec.urls[0] : spec.urls) as string,
        method: 'POST',
        connections: spec.connections,
        duration: spec.durationS,
        headers: { 'content-type': 'application/json' },
        body: spec.body,
        timeout: 10,
        ...(spec.rate ? { overallRate: spec.rate } : {}),
        setupClient: (c) => c.setRequests(requestsFor(tokenWindow(spec.tokens, client++, spec.connections))),
      },
      (error, result) => {
        spec.signal?.removeEventListener('abort', stop)
        if (error) reject(error)
        else {
          const endedAtMs = performance.now()
          const stats = statsOf(result, spec.connections, (endedAtMs - startedAtMs) / 1000)
          const recorded = recorder.finish(endedAtMs)
          stats.bySecond = byClass(recorded.series)
          stats.maxMsBySecond = recorded.series.max.map((m) => m ?? 0)
          stats.steadyP99Ms = steady.p99()
          stats.hdr = {
            latency: recorded.latency,
            distribution: recorded.distribution,
            series: recorded.series,
          }
          resolve({ stats, startedAtMs, endedAtMs })
        }
      },
    )
    const stop = () => instance.stop()
    spec.signal?.addEventListener('abort', stop, { once: true })
    instance.on('start', () => {
      startedAtMs = performance.now()
      steady.start(startedAtMs)
      recorder = new Recorder(startedAtMs)
    })
    instance.on('reqError', (error: Error & { code?: string }) => recorder.error(error.code ?? error.message))
    const onResponse = spec.onResponse
    instance.on('response', (_c, status, _bytes, responseTime) => {
      const at = performance.now()
      steady.record(at, responseTime)
      recorder.record(status, responseTime, at)
      onResponse?.(status, at, responseTime)
    })
  })
}
