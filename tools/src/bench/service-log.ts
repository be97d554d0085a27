// Collects the warnings, errors and crashes the stack's processes print (at the default log level), tagged
// with the scenario running at the time, for the report's "problems" section.
import type { OutputSink } from '../stack/output.ts'
import type { ServiceProblem } from './report/types.ts'

const SAMPLES_PER_LABEL_AND_PHASE = 5
const TAIL = 60

function levelOf(line: string): number | undefined {
  if (!line.startsWith('{')) return undefined
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level
    return typeof level === 'number' ? level : undefined
  } catch {
    return undefined
  }
}

export class ServiceLog {
  /** The scenario (or 'setup' / 'teardown') lines are attributed to. */
  phase = 'setup'
  readonly samples: ServiceProblem[] = []
  /** Lines at warn and above (or unstructured stderr) per `phase|label`. */
  readonly counts = new Map<string, number>()
  readonly crashes: string[] = []
  readonly #tail: string[] = []

  readonly sink: OutputSink = (label, line, stream) => {
    this.#tail.push(`${label} | ${line}`)
    if (this.#tail.length > TAIL) this.#tail.shift()
    // The stack runner's own progress lines, and anything printed while stopping, are not findings.
    if (label === 'stack' || label === 'migrate' || this.phase === 'teardown') return
    const level = levelOf(line)
    const notable = level === undefined ? stream === 'stderr' : level >= 40
    if (!notable) return
    const key = `${this.phase}|${label}`
    const n = (this.counts.get(key) ?? 0) + 1
    this.counts.set(key, n)
    if (n <= SAMPLES_PER_LABEL_AND_PHASE) {
      this.samples.push({
        label,
        scenario: this.phase,
        line: line.length > 600 ? `${line.slice(0, 600)}…` : line,
      })
    }
  }

  crashed(label: string, detail: string): void {
    this.crashes.push(`${label} exited unexpectedly during ${this.phase} (${detail})`)
  }

  /** The last lines of every process, whatever their level (printed when the stack fails to start). */
  tail(): string {
    return this.#tail.join('\n')
  }

  /** One line per (phase, process) that logged warnings or errors, plus every crash. */
  summary(): string[] {
    const lines = [...this.crashes]
    for (const [key, n] of this.counts) {
      const [phase, label] = key.split('|')
      lines.push(`${label} logged ${n} warning/error line${n === 1 ? '' : 's'} during ${phase}`)
    }
    return lines
  }
}
