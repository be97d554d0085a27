import type { MatrixRow } from './measure.ts'

const HEADER = [
  'fault',
  'accepted',
  'lost',
  'oversold',
  'double-charged',
  'double-sold',
  'leaked',
  'failed orders',
  'over limit',
  'charged, told no',
  'unanswered',
  's to converge',
]

const cell = (n: number) => (Number.isNaN(n) ? '?' : String(n))

/** The fault matrix as a markdown table (what the closing note quotes), notes below it. */
export function renderTable(rows: readonly MatrixRow[]): string {
  const lines = [
    `| ${HEADER.join(' | ')} |`,
    `|${HEADER.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
  ]
  for (const r of rows) {
    const seconds = r.converged ? r.seconds.toFixed(1) : `> ${r.seconds.toFixed(0)} (no)`
    lines.push(
      `| ${[r.fault, r.accepted, r.lost, r.oversold, r.doubleCharged, r.doubleSold, r.leaked, r.failed, r.overLimit, r.chargedToldNo, r.unanswered].map((v) => (typeof v === 'number' ? cell(v) : v)).join(' | ')} | ${seconds} |`,
    )
  }
  return lines.join('\n')
}

export function renderNotes(rows: readonly MatrixRow[]): string {
  return rows.map((r) => `- **${r.fault}**: ${r.notes.join('; ')}`).join('\n')
}

/**
 * True when the row keeps the contract: all zero but the seconds (and `unanswered`, unless the scenario
 * requires every request answered), and converged within the bound.
 */
export const rowHolds = (r: MatrixRow, requireAnswered = false) =>
  r.converged &&
  r.overLimit === 0 &&
  (!requireAnswered || r.unanswered === 0) &&
  r.lost === 0 &&
  r.oversold === 0 &&
  r.doubleCharged === 0 &&
  r.doubleSold === 0 &&
  r.leaked === 0 &&
  r.failed === 0 &&
  r.chargedToldNo === 0
