// Number, status, CPU and table formatting shared by the Markdown and HTML reports (pure).
import type { CpuUse } from '../readings/host-stats.ts'

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US')
export const fmtNum = (n: number | null | undefined, digits = 0): string =>
  n == null || !Number.isFinite(n)
    ? 'n/a'
    : digits === 0
      ? fmtInt(n)
      : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
export const fmtPct = (r: number | null) => (r == null ? 'n/a' : `${(r * 100).toFixed(1)} %`)
export const fmtTimes = (r: number | null) => (r == null ? 'n/a' : `${r.toFixed(1)}×`)

export const verdict = (pass: boolean | null, info = false) =>
  info ? 'info' : pass == null ? 'n/a' : pass ? 'MET' : 'MISSED'

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

export function formatCpu(cpu: CpuUse): string {
  const procs = Object.entries(cpu.procs)
    .filter(([, cores]) => cores >= 0.005)
    .sort(([, a], [, b]) => b - a)
    .map(([label, cores]) => `${label} ${cores.toFixed(2)}`)
  return `host busy ${cpu.host.toFixed(2)} — ${procs.join(', ')}, other processes ${cpu.other.toFixed(2)}`
}
