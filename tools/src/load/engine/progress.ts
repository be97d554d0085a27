// What the terminal shows while a run goes: a bar for buyer registration and a live line for the
// load (elapsed/remaining, req/s, p50/p99 so far, statuses, the scenario's own numbers). --quiet
// silences both; a non-terminal stdout gets one plain line every few seconds instead of redraws.
import { Presets, SingleBar } from 'cli-progress'
import type { LiveSnapshot } from './recorder.ts'

export interface Progress {
  bar(title: string, total: number): { update(done: number, note?: string): void; stop(): void }
  live(totalS: number, read: () => LiveSnapshot, extra?: () => string): { stop(): void }
  say(line: string): void
}

const fmt = (n: number | null) => (n === null ? '–' : n >= 100 ? Math.round(n).toString() : n.toFixed(1))

export function statusText(statuses: Record<string, number>, errors: number): string {
  const parts = Object.entries(statuses).map(([s, n]) => `${s}×${n}`)
  if (errors) parts.push(`errors×${errors}`)
  return parts.join(' ') || '–'
}

export function liveLine(s: LiveSnapshot, totalS: number, extra = ''): string {
  const left = totalS - s.elapsedS
  const clock = left > 0 ? `${left.toFixed(0)}s left` : 'finishing the requests in flight'
  return (
    `${s.elapsedS.toFixed(0)}s/${totalS}s (${clock}) | ${s.rps} req/s | ` +
    `p50 ${fmt(s.p50)} ms p99 ${fmt(s.p99)} ms | ${statusText(s.statuses, s.errors)}${extra ? ` | ${extra}` : ''}`
  )
}

export function createProgress(quiet: boolean, out: NodeJS.WriteStream = process.stdout): Progress {
  const tty = out.isTTY === true
  const say = (line: string) => {
    if (!quiet) out.write(`load | ${line}\n`)
  }
  return {
    say,
    bar(title, total) {
      if (quiet || !tty) {
        say(`${title}: ${total}`)
        return { update: () => {}, stop: () => say(`${title}: done`) }
      }
      const bar = new SingleBar(
        { format: `load | ${title} [{bar}] {value}/{total} {note}`, hideCursor: true, stream: out },
        Presets.shades_classic,
      )
      bar.start(total, 0, { note: '' })
      return { update: (done, note = '') => bar.update(done, { note }), stop: () => bar.stop() }
    },
    live(totalS, read, extra) {
      if (quiet) return { stop: () => {} }
      let ticks = 0
      const timer = setInterval(() => {
        const line = liveLine(read(), totalS, extra?.() ?? '')
        if (tty) out.write(`\r\x1b[2K${line}`)
        else if (++ticks % 5 === 0) say(line)
      }, 1000)
      return {
        stop() {
          clearInterval(timer)
          if (tty) out.write(`\r\x1b[2K${liveLine(read(), totalS, extra?.() ?? '')}\n`)
        },
      }
    },
  }
}
