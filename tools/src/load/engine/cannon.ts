// The load engine's runner: autocannon feeding a Recorder with every answer (any status), its latency
// and, for a mix, the endpoint it came from; every connection error and timeout. Closed loop by
// default; `rate` makes it an open loop at a fixed overall rate (autocannon's overallRate), `stages`
// a sequence of such rates (a ramp is cut into one-second steps, each a fresh autocannon run on the
// same recorder, so the connections are opened again at every step).
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import type { Progress } from './progress.ts'
import { Recorder, type RunStats } from './recorder.ts'
import { rateSteps, type Stage, type Step } from './stages.ts'

/** A request of a connection's sequence; `endpoint` names it in the per-endpoint results. */
export type EngineRequest = autocannon.Request & { endpoint?: string }

export interface CannonSpec {
  /** Origin and path of the default request, e.g. http://127.0.0.1:8080/api/orders; several: the
   * connections are spread over them (several instances of a service). */
  url: string | readonly string[]
  method?: 'GET' | 'POST'
  body?: string
  connections: number
  rate?: number | undefined
  /** Offered rates over time instead of `rate`/`durationS` (see stages.ts). */
  stages?: readonly Stage[] | undefined
  durationS: number
  timeoutS: number
  /** The request sequence of connection k, which autocannon cycles through. */
  requestsFor: (k: number) => EngineRequest[]
  signal?: AbortSignal | undefined
  /** Called with the recorder as soon as it exists (live progress reads it). */
  onStart?: (recorder: Recorder) => void
  /** Every answer, with `performance.now()` and its latency (ms). */
  onResponse?: (status: number, atMs: number, latencyMs: number) => void
  /** Readings of whoever runs the scenario around its measured load (see Measure). */
  measure?: Measure | undefined
}

/**
 * Hooks around a scenario's measured load (not its set-up, warm-up, drain or audit), for a harness
 * that reads what only it can read on its box — `npm run bench`'s CPU per process, kernel drops,
 * MySQL counts. The load waits for `started` and `ended` to return.
 */
export interface Measure {
  started(): Promise<void>
  response(status: number, atMs: number, latencyMs: number): void
  ended(): Promise<void>
}

export interface CannonRun {
  stats: RunStats
  startedAtMs: number
  endedAtMs: number
  /**
   * autocannon runs that ended (one, or one per step of `stages`): each end drops the requests then in
   * flight, up to one per connection, whose answers are never read (an audit must allow for them).
   */
  stops: number
}

export async function runCannon(spec: CannonSpec): Promise<CannonRun> {
  if (spec.signal?.aborted) throw new Error('aborted')
  const steps: Step[] = spec.stages
    ? rateSteps(spec.stages)
    : [{ durationS: spec.durationS, rate: spec.rate ?? 0 }]
  await spec.measure?.started()
  const recorder = new Recorder()
  const startedAtMs = performance.now()
  spec.onStart?.(recorder)
  let connection = 0
  let stops = 0
  for (const step of steps) {
    if (spec.signal?.aborted) break
    const open = spec.stages === undefined || step.rate > 0
    if (open) {
      stops++
      await runStep(spec, recorder, step, () => connection++)
    } else await sleep(step.durationS * 1000, undefined, { signal: spec.signal }).catch(() => {})
  }
  const endedAtMs = performance.now()
  await spec.measure?.ended()
  return { stats: recorder.finish(endedAtMs), startedAtMs, endedAtMs, stops }
}

/** `runCannon` with the terminal's live line for the run, stopped however the run ends. */
export async function runCannonLive(
  spec: CannonSpec,
  progress: Progress,
  totalS: number,
): Promise<CannonRun> {
  let live: { stop(): void } | undefined
  return runCannon({
    ...spec,
    onStart: (recorder) => {
      spec.onStart?.(recorder)
      live = progress.live(totalS, () => recorder.live())
    },
  }).finally(() => live?.stop())
}

function runStep(spec: CannonSpec, recorder: Recorder, step: Step, next: () => number): Promise<void> {
  // The endpoint of the answer being read: autocannon calls the request's onResponse and then emits
  // 'response' for the same answer, synchronously.
  let endpoint: string | undefined
  const tagged = (requests: EngineRequest[]): autocannon.Request[] =>
    requests.map((r) => {
      const own = r.onResponse
      return {
        ...r,
        onResponse: (status, body, context, headers) => {
          endpoint = r.endpoint
          if (typeof own === 'function') own(status, body, context, headers)
        },
      }
    })
  const url = typeof spec.url === 'string' || spec.url.length > 1 ? spec.url : spec.url[0]!
  return new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        // autocannon accepts several URLs and spreads the connections over them.
        url: url as string,
        method: spec.method ?? 'GET',
        connections: spec.connections,
        duration: step.durationS,
        timeout: spec.timeoutS,
        headers: { 'content-type': 'application/json' },
        ...(spec.body === undefined ? {} : { body: spec.body }),
        ...(step.rate ? { overallRate: step.rate } : {}),
        setupClient: (c) => c.setRequests(tagged(spec.requestsFor(next()))),
      },
      (error) => {
        spec.signal?.removeEventListener('abort', stop)
        if (error) reject(error)
        else resolve()
      },
    )
    const stop = () => instance.stop()
    spec.signal?.addEventListener('abort', stop, { once: true })
    instance.on('response', (_c, status, _bytes, responseTime) => {
      const at = performance.now()
      recorder.record(status, responseTime, at, endpoint)
      endpoint = undefined
      spec.onResponse?.(status, at, responseTime)
      spec.measure?.response(status, at, responseTime)
    })
    instance.on('reqError', (error: Error & { code?: string }) => recorder.error(error.code ?? error.message))
  })
}
