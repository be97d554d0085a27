// Per-second views of one bench run: answers by status class, and the latencies once every connection
// is open (pure).
import type { Series } from '../../load/engine/recorder.ts'

/** p-th percentile (0…100) of `values`, nearest rank (pure). */
export function percentile(values: Float64Array, p: number): number | undefined {
  if (values.length === 0) return undefined
  const sorted = values.slice().sort()
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

/** Responses per second by status class, from the recorder's per-status series. */
export function byClass(series: Series): Record<'2xx' | '4xx' | '5xx', number[]> {
  const out = { '2xx': [] as number[], '4xx': [] as number[], '5xx': [] as number[] }
  for (const cls of ['2xx', '4xx', '5xx'] as const) {
    out[cls] = series.t.map((i) =>
      Object.entries(series.statuses).reduce((n, [s, row]) => (s[0] === cls[0] ? n + (row[i] ?? 0) : n), 0),
    )
  }
  return out
}

/**
 * Latencies of the responses after the first second: once every connection is open, without the
 * connection storm of the start (a diagnostic next to the run's own percentiles, not instead of them).
 */
export function steadyLatencies() {
  let startMs = 0
  let latencies = new Float64Array(1 << 16)
  let n = 0
  return {
    p99: () => percentile(latencies.subarray(0, n), 99),
    start: (atMs: number) => {
      startMs = atMs
    },
    record: (atMs: number, responseTimeMs: number) => {
      if (atMs - startMs < 1000) return
      if (n === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2)
        bigger.set(latencies)
        latencies = bigger
      }
      latencies[n++] = responseTimeMs
    },
  }
}
