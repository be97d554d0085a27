// One autocannon run feeding a Recorder: every answer (any status) with its latency, every
// connection error and timeout. Closed loop by default; `rate` makes it an open loop at a fixed
// overall request rate (autocannon's overallRate) so latency is measured at a chosen load.
import autocannon from 'autocannon'
import { Recorder, type RunStats } from './recorder.ts'

export interface CannonSpec {
  /** Origin and path of the default request, e.g. http://127.0.0.1:8080/api/orders */
  url: string
  method?: 'GET' | 'POST'
  body?: string
  connections: number
  rate?: number | undefined
  durationS: number
  timeoutS: number
  /** The request sequence of connection k, which autocannon cycles through. */
  requestsFor: (k: number) => autocannon.Request[]
  signal?: AbortSignal | undefined
  /** Called with the recorder as soon as it exists (live progress reads it). */
  onStart?: (recorder: Recorder) => void
  /** Every answer, with `performance.now()`. */
  onResponse?: (status: number, atMs: number) => void
}

export interface CannonRun {
  stats: RunStats
  startedAtMs: number
  endedAtMs: number
  /** autocannon's own figures, kept for comparison (its latency histogram counts 2xx only at a rate). */
  autocannon: { requestsAverage: number; errors: number; timeouts: number; non2xx: number }
}

export function runCannon(spec: CannonSpec): Promise<CannonRun> {
  if (spec.signal?.aborted) return Promise.reject(new Error('aborted'))
  const recorder = new Recorder()
  const startedAtMs = performance.now()
  spec.onStart?.(recorder)
  let client = 0
  return new Promise<CannonRun>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        method: spec.method ?? 'GET',
        connections: spec.connections,
        duration: spec.durationS,
        timeout: spec.timeoutS,
        headers: { 'content-type': 'application/json' },
        ...(spec.body === undefined ? {} : { body: spec.body }),
        ...(spec.rate ? { overallRate: spec.rate } : {}),
        setupClient: (c) => c.setRequests(spec.requestsFor(client++)),
      },
      (error, result) => {
        spec.signal?.removeEventListener('abort', stop)
        if (error) return reject(error)
        const endedAtMs = performance.now()
        resolve({
          stats: recorder.finish(endedAtMs),
          startedAtMs,
          endedAtMs,
          autocannon: {
            requestsAverage: result.requests.average,
            errors: result.errors,
            timeouts: result.timeouts,
            non2xx: result.non2xx,
          },
        })
      },
    )
    const stop = () => instance.stop()
    spec.signal?.addEventListener('abort', stop, { once: true })
    instance.on('response', (_c, status, _bytes, responseTime) => {
      const at = performance.now()
      recorder.record(status, responseTime, at)
      spec.onResponse?.(status, at)
    })
    instance.on('reqError', (error: Error & { code?: string }) => recorder.error(error.code ?? error.message))
  })
}
