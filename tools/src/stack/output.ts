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
