// `npm run load -- compare A/report.json B/report.json`: two runs side by side — rate, percentiles,
// statuses, per-endpoint numbers, the scenario's own numbers and the audit — with B's change against
// A (pure, unit-tested; compare.ts at the top of the load tool reads and writes the files).
import type { LoadReport } from './build.ts'
import { endpointRows } from './endpoints.ts'

export interface CompareRow {
  group: string
  metric: string
  a: number | string | null
  b: number | string | null
  /** B − A and its share of A, for two numbers. */
  delta?: { abs: number; pct: number | null } | undefined
}

export interface Comparison {
  a: { path: string; scenario: string; date: string; url: string; commit: string }
  b: { path: string; scenario: string; date: string; url: string; commit: string }
  rows: CompareRow[]
}

const LATENCY = ['p50', 'p90', 'p99', 'p99.9', 'max', 'mean'] as const
const RATE = ['rps', 'responses'] as const
const ERRORS = ['errors', 'timeouts'] as const
const SHOWN = new Set<string>([...LATENCY, ...RATE, ...ERRORS, '2xx', '4xx', '5xx', 'audit_failed'])

function row(group: string, metric: string, a: unknown, b: unknown): CompareRow {
  const val = (v: unknown) => (typeof v === 'number' || typeof v === 'string' ? v : null)
  const r: CompareRow = { group, metric, a: val(a), b: val(b) }
  if (typeof r.a === 'number' && typeof r.b === 'number')
    r.delta = { abs: r.b - r.a, pct: r.a === 0 ? null : ((r.b - r.a) / r.a) * 100 }
  return r
}

const union = (...lists: string[][]) => [...new Set(lists.flat())]

function about(path: string, r: LoadReport): Comparison['a'] {
  const commit = r.git ? `${r.git.commit}${r.git.dirty ? '+' : ''}` : 'unknown'
  return { path, scenario: r.scenario, date: r.date, url: r.target.url, commit }
}

export function compareReports(
  a: LoadReport,
  b: LoadReport,
  paths: [string, string] = ['A', 'B'],
): Comparison {
  const rows: CompareRow[] = []
  for (const m of RATE) rows.push(row('rate', m, a.metrics[m], b.metrics[m]))
  rows.push(row('rate', 'duration_s', a.run.durationS, b.run.durationS))
  for (const m of LATENCY) rows.push(row('latency ms', m, a.metrics[m], b.metrics[m]))
  const statuses = union(Object.keys(a.run.statuses), Object.keys(b.run.statuses)).sort()
  for (const s of statuses) rows.push(row('statuses', s, a.run.statuses[s] ?? 0, b.run.statuses[s] ?? 0))
  for (const m of ERRORS) rows.push(row('statuses', m, a.metrics[m], b.metrics[m]))
  const ea = new Map(endpointRows(a.run).map((e) => [e.endpoint, e]))
  const eb = new Map(endpointRows(b.run).map((e) => [e.endpoint, e]))
  for (const e of union([...ea.keys()], [...eb.keys()])) {
    for (const k of ['rps', 'p50', 'p99'] as const)
      rows.push(row('per endpoint', `${e} ${k}`, ea.get(e)?.[k], eb.get(e)?.[k]))
    rows.push(row('per endpoint', `${e} statuses`, ea.get(e)?.statuses, eb.get(e)?.statuses))
  }
  const own = union(Object.keys(a.metrics), Object.keys(b.metrics)).filter(
    (k) => !SHOWN.has(k) && !k.startsWith('status.'),
  )
  for (const k of own) rows.push(row('scenario', k, a.metrics[k], b.metrics[k]))
  const verdict = (r: LoadReport) => (r.verdict.pass ? 'PASS' : 'FAIL')
  rows.push(row('audit', 'verdict', verdict(a), verdict(b)))
  rows.push(row('audit', 'checks failed', a.metrics.audit_failed, b.metrics.audit_failed))
  const checks = (r: LoadReport) => new Map(r.audit.checks.map((c) => [c.id, c.pass ? 'PASS' : 'FAIL']))
  const ca = checks(a)
  const cb = checks(b)
  for (const id of union([...ca.keys()], [...cb.keys()]))
    rows.push(row('audit', id, ca.get(id) ?? '–', cb.get(id) ?? '–'))
  return { a: about(paths[0], a), b: about(paths[1], b), rows }
}

const cell = (v: number | string | null) =>
  v === null ? '–' : typeof v === 'number' ? String(Math.round(v * 10) / 10) : v

export function deltaText(r: CompareRow): string {
  if (!r.delta) return r.a === r.b ? '' : 'changed'
  const sign = r.delta.abs > 0 ? '+' : ''
  const pct = r.delta.pct === null ? '' : ` (${sign}${r.delta.pct.toFixed(1)} %)`
  return r.delta.abs === 0 ? '=' : `${sign}${cell(r.delta.abs)}${pct}`
}

/** The side-by-side as aligned text columns (the terminal and compare.txt). */
export function compareLines(c: Comparison): string[] {
  const table = [
    ['', 'A', 'B', 'B − A'],
    ...c.rows.map((r) => [`${r.group}: ${r.metric}`, cell(r.a), cell(r.b), deltaText(r)]),
  ]
  const widths = [0, 1, 2, 3].map((i) => Math.max(...table.map((t) => t[i]!.length)))
  return [
    `A: ${c.a.path} — ${c.a.scenario} against ${c.a.url}, ${c.a.date}, commit ${c.a.commit}`,
    `B: ${c.b.path} — ${c.b.scenario} against ${c.b.url}, ${c.b.date}, commit ${c.b.commit}`,
    ...(c.a.scenario === c.b.scenario ? [] : ['note: the two runs are of different scenarios']),
    '',
    ...table.map((t) =>
      t.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  '),
    ),
  ]
}
