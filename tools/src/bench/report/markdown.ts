// report.md (and the console): the results and targets tables, then the diagnostics (pure).
import {
  checkLines,
  counterLines,
  cpuLines,
  errorTimelineLines,
  finalizerLines,
  latencyLines,
  noteLines,
} from './diagnostics.ts'
import { fmtNum, formatStatuses, table, verdict } from './format.ts'
import { type Report, type Results, SCENARIOS, type Target } from './types.ts'

/** One row per scenario that ran: the raw numbers. */
export function resultsTable(results: Results): string {
  const rows = SCENARIOS.flatMap((name) => {
    const r = results[name]
    if (!r) return []
    if (r.error || !r.load)
      return [[name, '—', '—', '—', '—', '—', '—', `error: ${r.error ?? 'no load result'}`]]
    const l = r.load
    const accepted = r.acceptedPerS === undefined ? '—' : `${fmtNum(r.acceptedPerS)}/s`
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
    targets.map((t) => [t.label, t.goal, t.measured, verdict(t.pass, t.info), t.context ?? '']),
  )
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
    '## Targets (docs/benchmarks.md, ratios from this run)',
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
