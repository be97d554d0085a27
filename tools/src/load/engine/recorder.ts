// Everything measured during one load run, fed answer by answer (by autocannon or by our own
// clients): statuses and errors per second, one latency histogram for the run and one per second,
// and for a mix of requests the same totals per endpoint.
import {
  type Distribution,
  distribution,
  type Histogram,
  type LatencySummary,
  newHistogram,
  recordMs,
  summarize,
} from './latency.ts'

export interface Series {
  /** Second of the run (0 = the first second after the load started). */
  t: number[]
  /** Answers completed in that second. */
  rps: number[]
  /** Answers per HTTP status, per second. */
  statuses: Record<string, number[]>
  /** Connection errors and timeouts per second. */
  errors: number[]
  p50: (number | null)[]
  p90: (number | null)[]
  p99: (number | null)[]
  max: (number | null)[]
}

/** One endpoint of a mix: its answers, rate, statuses and latency over the whole run. */
export interface EndpointStats {
  responses: number
  /** Answers per second over the whole run. */
  rps: number
  statuses: Record<string, number>
  latency: LatencySummary
}

export interface RunStats {
  durationS: number
  /** Answers received (every status). */
  responses: number
  /** Answers per second over the whole run. */
  rps: number
  statuses: Record<string, number>
  /** Connection errors and timeouts by kind (code or message). */
  errors: Record<string, number>
  errorCount: number
  timeouts: number
  latency: LatencySummary
  distribution: Distribution
  series: Series
  /** Per endpoint, when the requests were named (steady-shop: browse, product, order, status, me). */
  endpoints?: Record<string, EndpointStats> | undefined
}

export interface LiveSnapshot {
  elapsedS: number
  /** Answers in the last full second. */
  rps: number
  p50: number | null
  p99: number | null
  statuses: Record<string, number>
  errors: number
}

export class Recorder {
  readonly #startMs: number
  readonly #all = newHistogram()
  readonly #perSecond: Histogram[] = []
  readonly #statuses = new Map<string, number[]>()
  readonly #errors: number[] = []
  readonly #errorKinds: Record<string, number> = {}
  #timeouts = 0
  readonly #endpoints = new Map<string, { histogram: Histogram; statuses: Record<string, number> }>()

  constructor(startMs = performance.now()) {
    this.#startMs = startMs
  }

  #second(atMs: number): number {
    return Math.max(0, Math.floor((atMs - this.#startMs) / 1000))
  }

  record(status: number, latencyMs: number, atMs = performance.now(), endpoint?: string): void {
    const s = this.#second(atMs)
    if (endpoint !== undefined) {
      const e = this.#endpoints.get(endpoint) ?? { histogram: newHistogram(), statuses: {} }
      this.#endpoints.set(endpoint, e)
      recordMs(e.histogram, latencyMs)
      e.statuses[status] = (e.statuses[status] ?? 0) + 1
    }
    recordMs(this.#all, latencyMs)
    while (this.#perSecond.length <= s) this.#perSecond.push(newHistogram())
    recordMs(this.#perSecond[s]!, latencyMs)
    const key = String(status)
    const row = this.#statuses.get(key) ?? []
    if (row.length === 0) this.#statuses.set(key, row)
    while (row.length <= s) row.push(0)
    row[s]! += 1
  }

  error(kind: string, atMs = performance.now()): void {
    const s = this.#second(atMs)
    while (this.#errors.length <= s) this.#errors.push(0)
    this.#errors[s]! += 1
    this.#errorKinds[kind] = (this.#errorKinds[kind] ?? 0) + 1
    if (/timed? ?out/i.test(kind)) this.#timeouts++
  }

  live(nowMs = performance.now()): LiveSnapshot {
    const elapsed = (nowMs - this.#startMs) / 1000
    const last = Math.floor(elapsed) - 1
    const summary = summarize(this.#all)
    return {
      elapsedS: elapsed,
      rps: last >= 0 ? (this.#perSecond[last]?.totalCount ?? 0) : 0,
      p50: summary.p50,
      p99: summary.p99,
      statuses: this.#totals(),
      errors: Object.values(this.#errorKinds).reduce((a, b) => a + b, 0),
    }
  }

  #totals(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [status, row] of [...this.#statuses].sort(([a], [b]) => Number(a) - Number(b)))
      out[status] = row.reduce((a, b) => a + b, 0)
    return out
  }

  finish(endMs = performance.now()): RunStats {
    const durationS = Math.max(0.001, (endMs - this.#startMs) / 1000)
    const seconds = Math.max(this.#perSecond.length, this.#errors.length, Math.ceil(durationS - 1e-9))
    const pad = (row: number[]) => Array.from({ length: seconds }, (_, i) => row[i] ?? 0)
    const perSecond = Array.from({ length: seconds }, (_, i) =>
      summarize(this.#perSecond[i] ?? newHistogram()),
    )
    const statuses = this.#totals()
    const responses = Object.values(statuses).reduce((a, b) => a + b, 0)
    const errorCount = Object.values(this.#errorKinds).reduce((a, b) => a + b, 0)
    return {
      durationS,
      responses,
      rps: responses / durationS,
      statuses,
      errors: { ...this.#errorKinds },
      errorCount,
      timeouts: this.#timeouts,
      latency: summarize(this.#all),
      distribution: distribution(this.#all),
      series: {
        t: Array.from({ length: seconds }, (_, i) => i),
        rps: perSecond.map((p) => p.count),
        statuses: Object.fromEntries([...this.#statuses].map(([k, row]) => [k, pad(row)])),
        errors: pad(this.#errors),
        p50: perSecond.map((p) => p.p50),
        p90: perSecond.map((p) => p.p90),
        p99: perSecond.map((p) => p.p99),
        max: perSecond.map((p) => p.max),
      },
      endpoints: this.#endpoints.size
        ? Object.fromEntries(
            [...this.#endpoints].map(([name, e]) => [
              name,
              {
                responses: e.histogram.totalCount,
                rps: e.histogram.totalCount / durationS,
                statuses: e.statuses,
                latency: summarize(e.histogram),
              },
            ]),
          )
        : undefined,
    }
  }
}
