// Per-endpoint results of a mixed run (steady-shop: browse, product, order, status, me), as rows for
// the terminal, report.html and `compare` (pure, unit-tested).
import type { EndpointStats, RunStats } from '../engine/recorder.ts'

export interface EndpointRow {
  endpoint: string
  responses: number
  rps: number
  statuses: string
  p50: number | null
  p99: number | null
}

export const statusList = (statuses: Record<string, number>) =>
  Object.entries(statuses)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([s, n]) => `${s}×${n}`)
    .join(' ')

/** One row per endpoint, busiest first; none when the run's requests were not named. */
export function endpointRows(run: Pick<RunStats, 'endpoints'>): EndpointRow[] {
  return Object.entries(run.endpoints ?? {})
    .sort(([, a], [, b]) => b.responses - a.responses)
    .map(([endpoint, e]: [string, EndpointStats]) => ({
      endpoint,
      responses: e.responses,
      rps: Math.round(e.rps * 10) / 10,
      statuses: statusList(e.statuses),
      p50: e.latency.p50,
      p99: e.latency.p99,
    }))
}

const f = (v: number | null) => (v === null ? 'n/a' : String(Math.round(v * 10) / 10))

/** Fixed-width lines for the terminal summary. */
export function endpointLines(run: Pick<RunStats, 'endpoints'>): string[] {
  const rows = endpointRows(run)
  if (!rows.length) return []
  const width = Math.max(8, ...rows.map((r) => r.endpoint.length))
  return [
    `${'endpoint'.padEnd(width)}  ${'req/s'.padStart(8)}  ${'p50 ms'.padStart(8)}  ${'p99 ms'.padStart(8)}  statuses`,
    ...rows.map(
      (r) =>
        `${r.endpoint.padEnd(width)}  ${f(r.rps).padStart(8)}  ${f(r.p50).padStart(8)}  ${f(r.p99).padStart(8)}  ${r.statuses}`,
    ),
  ]
}
