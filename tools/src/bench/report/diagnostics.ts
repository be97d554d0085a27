// The lines under the tables of the Markdown report: finalizer, checks, latency, CPU, counters, notes.
import { fmtNum, formatCpu } from './format.ts'
import { type Results, SCENARIOS } from './types.ts'

export function finalizerLines(results: Results): string[] {
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

export function checkLines(results: Results): string[] {
  const lines: string[] = []
  for (const name of SCENARIOS) {
    for (const c of results[name]?.checks ?? []) {
      lines.push(`- ${name} ${c.id} ${c.pass ? 'PASS' : 'FAIL'}: ${c.label} — ${c.detail}`)
    }
  }
  return lines
}

export function counterLines(results: Results): string[] {
  return SCENARIOS.flatMap((name) => {
    const counters = Object.entries(results[name]?.counters ?? {})
    if (!counters.length) return []
    return [`- ${name}: ${counters.map(([series, n]) => `\`${series}\` +${fmtNum(n)}`).join(', ')}`]
  })
}

/** Where the 2 cores went during each measured run. */
export function cpuLines(results: Results): string[] {
  return SCENARIOS.flatMap((name) => {
    const cpu = results[name]?.load?.cpu
    return cpu ? [`- ${name}: ${formatCpu(cpu)}`] : []
  })
}

/** Latency once the connections are open, next to the run's p99, and the connection drops. */
export function latencyLines(results: Results): string[] {
  return SCENARIOS.flatMap((name) => {
    const l = results[name]?.load
    if (!l || l.steadyP99Ms === undefined) return []
    const mean = l.rps > 0 ? (l.connections * 1000) / l.rps : null
    return [
      `- ${name}: p99 ${fmtNum(l.p99Ms)} ms (every answer), ${fmtNum(l.steadyP99Ms)} ms after the first second; ` +
        `Little's law mean at ${l.connections} connections: ${fmtNum(mean)} ms; ` +
        `listen-queue drops ${l.listenOverflows ?? 'n/a'}` +
        (l.maxMsBySecond?.length
          ? `; slowest answer per second: ${l.maxMsBySecond.map((m) => fmtNum(m)).join(' ')}`
          : ''),
    ]
  })
}

/** The seconds in which 5xx answers came, for runs that had any. */
export function errorTimelineLines(results: Results): string[] {
  return SCENARIOS.flatMap((name) => {
    const series = results[name]?.load?.bySecond?.['5xx'] ?? []
    if (!series.some((n) => n > 0)) return []
    const seconds = series.flatMap((n, i) => (n > 0 ? [`s${i}: ${fmtNum(n)}`] : []))
    return [`- ${name}: 5xx by second of the run — ${seconds.join(', ')}`]
  })
}

export function noteLines(results: Results): string[] {
  return SCENARIOS.flatMap((name) => (results[name]?.notes ?? []).map((n) => `- ${name}: ${n}`))
}
