// Per-second views of one bench run: answers by status class, and the latencies once every connection
// is open (pure).
import { newHistogram, recordMs, summarize } from '../../load/engine/latency.ts'
import type { Series } from '../../load/engine/recorder.ts'

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
 * p99 of the responses after the first second: once every connection is open, without the
 * connection storm of the start (a diagnostic next to the run's own percentiles, not instead of them).
 */
export function steadyLatencies() {
  let startMs = 0
  const histogram = newHistogram()
  return {
    p99: () => summarize(histogram).p99 ?? undefined,
    start: (atMs: number) => {
      startMs = atMs
    },
    record: (atMs: number, responseTimeMs: number) => {
      if (atMs - startMs >= 1000) recordMs(histogram, responseTimeMs)
    },
  }
}
