// The benchmark report: result types, the DESIGN §3 targets evaluated from one run's numbers, and the
// Markdown/console rendering. Pure functions only (unit-tested in tools/test/bench-report.test.ts).
import type { CpuUse } from './host-stats.ts'

export const SCENARIOS = ['baseline', 'sold-out', 'accepted', 'flash-sale', 'naive'] as const
export type ScenarioName = (typeof SCENARIOS)[number]

/** Numbers straight from autocannon for one load run. */
export interface LoadStats {
  connections: number
  /** Seconds from autocannon's `start` (connections set up) to its result. */
  durationS: number
  /** Responses received (all statuses). */
  responses: number
  /** autocannon `requests.average`: responses per second, averaged over its 1 s samples. */
  rps: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
  /** Responses per HTTP status. */
  statuses: Record<string, number>
  /** Connection errors and timeouts (autocannon `errors`, which includes `timeouts`). */
  errors: number
  timeouts: number
  /** Host-wide TcpExtListenOverflows during the run: connection attempts dropped by a full accept queue. */
  listenOverflows?: number | undefined
  /** Average cores used during the run: the host, each process of the system and load generator, others. */
  cpu?: CpuUse | undefined
  /** p99 of the responses after the first second (all connections open): a diagnostic, not autocannon's. */
  steadyP99Ms?: number | undefined
  /** Slowest response completed in each second of the run (ms). */
  maxMsBySecond?: number[]
  /** Responses per second of the run, by status class. */
  bySecond?: Record<'2xx' | '4xx' | '5xx', number[]>
}

export interface Check {
  id: string
  label: string
  pass: boolean
  detail: string
}

export interface FinalizerStats {
  /** Orders that reached `completed` during the run. */
  completed: number
  failed: number
  /** Whether every accepted order reached a terminal state before the drain timeout. */
  drained: boolean
  /** Commits/s from the first commit seen to the last (MySQL counts polled every 250 ms). */
  commitsPerS: number | null
  /** Commits/s after the load stopped (the backlog alone, the finalizer not sharing the CPU with intake). */
  drainCommitsPerS: number | null
  /** From the end of the load until nothing was pending. */
  drainMs: number | null
  /** Average cores used while the backlog drained (after the load). */
  drainCpu?: CpuUse | undefined
}

export interface ScenarioResult {
  name: ScenarioName
  load?: LoadStats
  /** 202 answers per second (over the load for `accepted`, over the time to sell out for flash sales). */
  acceptedPerS?: number
  /** Flash sales: from the start of the load to the last 202. */
  sellOutMs?: number | null
  finalizer?: FinalizerStats
  checks?: Check[]
  /** Service counters that moved during the measured run (order_intake_total{outcome=…} …). */
  counters?: Record<string, number>
  notes: string[]
  /** The scenario could not complete (setup failed, the stack crashed …). */
  error?: string
}

export type Results = Partial<Record<ScenarioName, ScenarioResult>>

export interface Target {
  scenario: ScenarioName
  label: string
  goal: string
  /** Measured value, as displayed; null when a scenario it depends on did not run. */
  measured: string
  pass: boolean | null
  /** What the number should be read against (the same run's reference numbers). */
  context?: string
}

export interface ServiceProblem {
  label: string
  scenario: string
  line: string
}

export interface Report {
  date: string
  command: string
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string }
  /** The code measured: HEAD and whether the work tree had changes on top of it. */
  git?: { commit: string; dirty: boolean } | undefined
  options: Record<string, unknown>
  results: Results
  targets: Target[]
  /** Warnings/errors the services logged, crashes, unexpected statuses: anything worth a human look. */
  problems: string[]
  serviceLog: ServiceProblem[]
}

/** a / b, or null when either is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null
  return a / b
}

export const count = (statuses: Record<string, number>, status: number | string) =>
  statuses[String(status)] ?? 0

/** Responses with a status other than the expected ones (and connection errors), for the problems list. */
export function unexpectedStatuses(load: LoadStats, expected: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [status, n] of Object.entries(load.statuses)) {
    if (!expected.includes(Number(status)) && n > 0) out[status] = n
  }
  if (load.errors > 0) out.errors = load.errors
  return out
}

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US')
export const fmtNum = (n: number | null | undefined, digits = 0): string =>
  n == null || !Number.isFinite(n)
    ? 'n/a'
    : digits === 0
      ? fmtInt(n)
      : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const fmtPct = (r: number | null) => (r == null ? 'n/a' : `${(r * 100).toFixed(1)} %`)
const fmtTimes = (r: number | null) => (r == null ? 'n/a' : `${r.toFixed(1)}×`)

function atLeast(value: number | null | undefined, goal: number): boolean | null {
  return value == null || !Number.isFinite(value) ? null : value >= goal
}
function atMost(value: number | null | undefined, goal: number): boolean | null {
  return value == null || !Number.isFinite(value) ? null : value <= goal
}

/** Answered requests per second of a flash sale (every status counts: a 409 is an answer). */
const answeredPerS = (r: ScenarioResult | undefined) => r?.load?.rps

/** DESIGN §3 and the brief's targets, each judged from this run's numbers (null = could not be judged). */
export function evaluateTargets(results: Results): Target[] {
  const targets: Target[] = []
  const baseline = results.baseline
  const soldOut = results['sold-out']
  if (soldOut && !soldOut.error && soldOut.load) {
    const r = ratio(soldOut.load.rps, baseline?.load?.rps)
    targets.push({
      scenario: 'sold-out',
      label: 'sold-out req/s vs bare Fastify POST',
      goal: '≥ 50 %',
      measured: fmtPct(r),
      pass: r == null ? null : r >= 0.5,
      context: `${fmtNum(soldOut.load.rps)} vs ${fmtNum(baseline?.load?.rps)} req/s`,
    })
    targets.push({
      scenario: 'sold-out',
      label: `sold-out p99 at ${soldOut.load.connections} connections`,
      goal: '≤ 20 ms',
      measured: `${fmtNum(soldOut.load.p99Ms)} ms`,
      pass: atMost(soldOut.load.p99Ms, 20),
      context:
        `bare handler p99 ${fmtNum(baseline?.load?.p99Ms)} ms; closed loop: mean = connections / req/s = ` +
        `${fmtNum((soldOut.load.connections * 1000) / soldOut.load.rps)} ms`,
    })
    const total = soldOut.load.responses
    const conflicts = count(soldOut.load.statuses, 409)
    targets.push({
      scenario: 'sold-out',
      label: 'sold-out answers are all 409',
      goal: '100 %',
      measured: `${fmtNum(conflicts)} / ${fmtNum(total)}${soldOut.load.errors ? ` (+${soldOut.load.errors} errors)` : ''}`,
      pass: total > 0 && conflicts === total && soldOut.load.errors === 0,
    })
  }
  const accepted = results.accepted
  if (accepted && !accepted.error && accepted.load) {
    targets.push({
      scenario: 'accepted',
      label: 'accepted orders/s (202)',
      goal: '≥ 5,000/s',
      measured: `${fmtNum(accepted.acceptedPerS)}/s`,
      pass: atLeast(accepted.acceptedPerS, 5000),
    })
    targets.push({
      scenario: 'accepted',
      label: `accepted p99 at ${accepted.load.connections} connections`,
      goal: '≤ 100 ms',
      measured: `${fmtNum(accepted.load.p99Ms)} ms`,
      pass: atMost(accepted.load.p99Ms, 100),
    })
    const f = accepted.finalizer
    targets.push({
      scenario: 'accepted',
      label: 'finalizer commits/s (first → last commit)',
      goal: '≥ 3,000/s',
      measured: f ? `${fmtNum(f.commitsPerS)}/s${f.drained ? '' : ' (not drained)'}` : 'n/a',
      pass: f ? atLeast(f.commitsPerS, 3000) : null,
    })
  }
  const flash = results['flash-sale']
  const naive = results.naive
  if (flash && !flash.error && flash.load) {
    const answered = ratio(answeredPerS(flash), naive?.error ? null : answeredPerS(naive))
    targets.push({
      scenario: 'flash-sale',
      label: 'flash sale: answered/s vs naive',
      goal: '≥ 10×',
      measured: fmtTimes(answered),
      pass: answered == null ? null : answered >= 10,
      context:
        `${fmtNum(answeredPerS(flash))} vs ${fmtNum(answeredPerS(naive))} req/s; ` +
        `bare handler vs naive: ${fmtTimes(ratio(baseline?.load?.rps, naive?.error ? null : answeredPerS(naive)))}`,
    })
    const acc = ratio(flash.acceptedPerS, naive?.error ? null : naive?.acceptedPerS)
    targets.push({
      scenario: 'flash-sale',
      label: 'flash sale: accepted/s vs naive',
      goal: '≥ 3×',
      measured: fmtTimes(acc),
      pass: acc == null ? null : acc >= 3,
      context: `sold out in ${fmtNum(flash.sellOutMs)} vs ${fmtNum(naive?.sellOutMs)} ms`,
    })
    const checks = flash.checks ?? []
    const failed = checks.filter((c) => !c.pass)
    targets.push({
      scenario: 'flash-sale',
      label: 'flash sale invariants (I1 I2 I3 I4 I6)',
      goal: 'all PASS',
      measured: checks.length
        ? failed.length
          ? `FAIL: ${failed.map((c) => c.id).join(', ')}`
          : 'PASS'
        : 'n/a',
      pass: checks.length ? failed.length === 0 : null,
    })
  }
  return targets
}

export const verdict = (pass: boolean | null) => (pass == null ? 'n/a' : pass ? 'MET' : 'MISSED')

/** A Markdown table with padded columns: valid Markdown and readable in a terminal. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`.replace(/\s+\|$/, ' |')
  const rule = `| ${widths.map((w) => '-'.repeat(Math.max(3, w))).join(' | ')} |`
  return [line(headers), rule, ...rows.map(line)].join('\n')
}

export function formatStatuses(statuses: Record<string, number>, errors = 0): string {
  const parts = Object.entries(statuses)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, n]) => `${status}×${fmtNum(n)}`)
  if (errors) parts.push(`errors×${fmtNum(errors)}`)
  return parts.join(' ') || '—'
}

/** One row per scenario that ran: the raw numbers. */
export function resultsTable(results: Results): string {
  const rows = SCENARIOS.flatMap((name) => {
    const r = results[name]
    if (!r) return []
    if (r.error || !r.load)
      return [[name, '—', '—', '—', '—', '—', '—', `error: ${r.error ?? 'no load result'}`]]
    const l = r.load
    const accepted = name === 'baseline' || name === 'sold-out' ? '—' : `${fmtNum(r.acceptedPerS)}/s`
    return [
      [
        name,
        String(l.connections),
        fmtNum(l.rps),
        accepted,
        fmtNum(l.p50Ms),
        fmtNum(l.p90Ms),
        fmtNum(l.p99Ms),
        formatStatuses(l.statuses, l.errors),
      ],
    ]
  })
  return table(['scenario', 'conns', 'req/s', 'accepted/s', 'p50 ms', 'p90 ms', 'p99 ms', 'statuses'], rows)
}

export function targetsTable(targets: readonly Target[]): string {
  return table(
    ['target', 'goal', 'measured', 'result', 'context (same run)'],
    targets.map((t) => [t.label, t.goal, t.measured, verdict(t.pass), t.context ?? '']),
  )
}

function finalizerLines(results: Results): string[] {
  const lines: string[] = []
  for (const name of SCENARIOS) {
    const f = results[name]?.finalizer
    if (!f) continue
    lines.push(
      `- ${name}: ${fmtNum(f.completed)} completed, ${fmtNum(f.failed)} failed, ` +
        `${f.drained ? `drained ${fmtNum(f.drainMs)} ms after the load` : 'NOT drained before the timeout'}; ` +
        `commits/s first→last ${fmtNum(f.commitsPerS)}, backlog only ${fmtNum(f.drainCommitsPerS)}` +
        (f.drainCpu ? `; CPU while draining: ${formatCpu(f.drainCpu)}` : ''),
    )
  }
  return lines
}

function checkLines(results: Results): string[] {
  const lines: string[] = []
  for (const name of SCENARIOS) {
    for (const c of results[name]?.checks ?? []) {
      lines.push(`- ${name} ${c.id} ${c.pass ? 'PASS' : 'FAIL'}: ${c.label} — ${c.detail}`)
    }
  }
  return lines
}

function counterLines(results: Results): string[] {
  return SCENARIOS.flatMap((name) => {
    const counters = Object.entries(results[name]?.counters ?? {})
    if (!counters.length) return []
    return [`- ${name}: ${counters.map(([series, n]) => `\`${series}\` +${fmtNum(n)}`).join(', ')}`]
  })
}

export function formatCpu(cpu: CpuUse): string {
  const procs = Object.entries(cpu.procs)
    .filter(([, cores]) => cores >= 0.005)
    .sort(([, a], [, b]) => b - a)
    .map(([label, cores]) => `${label} ${cores.toFixed(2)}`)
  return `host busy ${cpu.host.toFixed(2)} — ${procs.join(', ')}, other processes ${cpu.other.toFixed(2)}`
}

/** Where the 2 cores went during each measured run. */
function cpuLines(results: Results): string[] {
  return SCENARIOS.flatMap((name) => {
    const cpu = results[name]?.load?.cpu
    return cpu ? [`- ${name}: ${formatCpu(cpu)}`] : []
  })
}

/** Latency once the connections are open, next to autocannon's p99, and the connection drops. */
function latencyLines(results: Results): string[] {
  return SCENARIOS.flatMap((name) => {
    const l = results[name]?.load
    if (!l || l.steadyP99Ms === undefined) return []
    const mean = l.rps > 0 ? (l.connections * 1000) / l.rps : null
    return [
      `- ${name}: p99 ${fmtNum(l.p99Ms)} ms (autocannon), ${fmtNum(l.steadyP99Ms)} ms after the first second; ` +
        `Little's law mean at ${l.connections} connections: ${fmtNum(mean)} ms; ` +
        `listen-queue drops ${l.listenOverflows ?? 'n/a'}` +
        (l.maxMsBySecond?.length
          ? `; slowest answer per second: ${l.maxMsBySecond.map((m) => fmtNum(m)).join(' ')}`
          : ''),
    ]
  })
}

/** The seconds in which 5xx answers came, for runs that had any. */
function errorTimelineLines(results: Results): string[] {
  return SCENARIOS.flatMap((name) => {
    const series = results[name]?.load?.bySecond?.['5xx'] ?? []
    if (!series.some((n) => n > 0)) return []
    const seconds = series.flatMap((n, i) => (n > 0 ? [`s${i}: ${fmtNum(n)}`] : []))
    return [`- ${name}: 5xx by second of the run — ${seconds.join(', ')}`]
  })
}

function noteLines(results: Results): string[] {
  return SCENARIOS.flatMap((name) => (results[name]?.notes ?? []).map((n) => `- ${name}: ${n}`))
}

/** The report as Markdown (tmp/bench/report.md and, trimmed of the header, the console). */
export function renderMarkdown(report: Report): string {
  const m = report.machine
  const out = [
    '# Benchmark report',
    '',
    `- date: ${report.date}`,
    `- command: \`${report.command}\``,
    `- machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}`,
    ...(report.git
      ? [`- code: ${report.git.commit}${report.git.dirty ? ' plus uncommitted changes' : ''}`]
      : []),
    `- options: ${Object.entries(report.options)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(', ')}`,
    '',
    '## Results',
    '',
    resultsTable(report.results),
    '',
    '## Targets (DESIGN §3, ratios from this run)',
    '',
    report.targets.length ? targetsTable(report.targets) : '_no target could be evaluated_',
  ]
  const finalizer = finalizerLines(report.results)
  if (finalizer.length) out.push('', '## Finalizer', '', ...finalizer)
  const checks = checkLines(report.results)
  if (checks.length) out.push('', '## Correctness checks after draining', '', ...checks)
  const latency = latencyLines(report.results)
  if (latency.length) out.push('', '## Latency diagnostics', '', ...latency)
  const cpu = cpuLines(report.results)
  if (cpu.length) out.push('', '## CPU during each measured run (average cores of the host)', '', ...cpu)
  const counters = counterLines(report.results)
  if (counters.length) out.push('', '## Service counters (change over the measured run)', '', ...counters)
  const notes = noteLines(report.results)
  if (notes.length) out.push('', '## Notes', '', ...notes)
  out.push('', '## Problems seen', '')
  if (report.problems.length)
    out.push(...report.problems.map((p) => `- ${p}`), ...errorTimelineLines(report.results))
  else out.push('- none: no 5xx, no connection errors, no service warnings or crashes')
  if (report.serviceLog.length) {
    out.push('', '### Service log lines (warn and above, first ones per service)', '', '```')
    out.push(...report.serviceLog.map((s) => `[${s.scenario}] ${s.label} | ${s.line}`))
    out.push('```')
  }
  return `${out.join('\n')}\n`
}
