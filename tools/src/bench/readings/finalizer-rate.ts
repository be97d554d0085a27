// Finalizer throughput from MySQL counts sampled every 250 ms (pure; unit-tested).

export interface CountSample {
  /** `performance.now()` of the sample. */
  atMs: number
  completed: number
  failed: number
  pending: number
}

export interface CommitRates {
  /** From the first commit to the last: (final − count before the first) / (time span). */
  commitsPerS: number | null
  /** After the load ended: the backlog alone. Null when nothing was left to commit by then. */
  drainCommitsPerS: number | null
  /** From the end of the load until the final count was reached (0 if reached during the load). */
  drainMs: number | null
}

const terminal = (s: CountSample) => s.completed + s.failed

/**
 * The first commit happened after the last sample that saw none, and the last one before the first
 * sample that saw the final count: both ends are rounded outwards by at most one sampling interval,
 * so the rate is, if anything, slightly underestimated.
 */
export function commitRates(samples: readonly CountSample[], loadEndedAtMs: number): CommitRates {
  const none = { commitsPerS: null, drainCommitsPerS: null, drainMs: null }
  if (samples.length < 2) return none
  const base = terminal(samples[0]!)
  const final = Math.max(...samples.map(terminal))
  if (final <= base) return none
  const firstIdx = samples.findIndex((s) => terminal(s) > base)
  const startIdx = Math.max(0, firstIdx - 1)
  const endIdx = samples.findIndex((s) => terminal(s) === final)
  const start = samples[startIdx]!
  const end = samples[endIdx]!
  const span = end.atMs - start.atMs
  const commitsPerS = span > 0 ? ((final - terminal(start)) * 1000) / span : null

  let drainCommitsPerS: number | null = null
  let drainMs: number | null = null
  if (end.atMs <= loadEndedAtMs) {
    drainMs = 0
  } else {
    drainMs = end.atMs - loadEndedAtMs
    let atEnd = samples[0]!
    for (const s of samples) if (s.atMs <= loadEndedAtMs) atEnd = s
    const backlog = final - terminal(atEnd)
    const drainSpan = end.atMs - atEnd.atMs
    if (backlog > 0 && drainSpan > 0) drainCommitsPerS = (backlog * 1000) / drainSpan
  }
  return { commitsPerS, drainCommitsPerS, drainMs }
}

/**
 * From `endMs` (the last request of the load) until every order was terminal: the first sample from
 * which on none is pending and the count no longer moves, minus `endMs` (0 if that was before the end).
 * Null when the last sample still had pending orders (the drain timed out). Rounded up by at most one
 * sampling interval.
 */
export function terminalAfterMs(samples: readonly CountSample[], endMs: number): number | null {
  const last = samples.at(-1)
  if (!last || last.pending > 0) return null
  let i = samples.length - 1
  while (i > 0 && samples[i - 1]!.pending === 0 && terminal(samples[i - 1]!) === terminal(last)) i--
  return Math.max(0, samples[i]!.atMs - endMs)
}
