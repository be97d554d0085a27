export type OutputStream = 'stdout' | 'stderr'

/** Where the stack writes its children's output, one line at a time, with the child's label. */
export type OutputSink = (label: string, line: string, stream: OutputStream) => void

const COLORS = [36, 33, 35, 32, 34, 96, 93, 95, 92, 94]

/**
 * `label | line` on the matching stream of this process, labels padded to one column and coloured
 * per label when writing to a terminal, so interleaved logs of many processes stay readable.
 */
export function prefixedOutput(width = 18): OutputSink {
  const colors = new Map<string, number>()
  return (label, line, stream) => {
    const out = stream === 'stderr' ? process.stderr : process.stdout
    let prefix = label.padEnd(width)
    if (out.isTTY) {
      if (!colors.has(label)) colors.set(label, COLORS[colors.size % COLORS.length]!)
      prefix = `\x1b[${colors.get(label)}m${prefix}\x1b[0m`
    }
    out.write(`${prefix} | ${line}\n`)
  }
}

/** Discards everything (tests that only care about behaviour). */
export const silentOutput: OutputSink = () => {}

/**
 * Passes every line on to `sink` and keeps each label's last `limit` lines, so a child that exits
 * unexpectedly can be reported with what it said last (a boot crash is otherwise only "exited (1)").
 */
export function withLastLines(
  sink: OutputSink,
  limit = 20,
): { sink: OutputSink; lastLines: (label: string) => string[] } {
  const kept = new Map<string, string[]>()
  return {
    sink: (label, line, stream) => {
      const lines = kept.get(label) ?? []
      if (lines.length === 0) kept.set(label, lines)
      lines.push(line)
      if (lines.length > limit) lines.shift()
      sink(label, line, stream)
    },
    lastLines: (label) => kept.get(label) ?? [],
  }
}
