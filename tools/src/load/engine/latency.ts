// Latency histograms (HDR, microsecond resolution, 3 significant digits): exact enough at any
// percentile without keeping every sample, and cheap enough to keep one per second of the run.
import hdr from 'hdr-histogram-js'

export type Histogram = ReturnType<typeof hdr.build>

/** Percentiles of one histogram, in milliseconds (null when nothing was recorded). */
export interface LatencySummary {
  count: number
  mean: number | null
  p50: number | null
  p90: number | null
  p99: number | null
  p99_9: number | null
  max: number | null
}

/** The percentile spectrum: latency at 0, 90, 99, 99.9 … % (x as "nines" = −log10(1 − p/100)). */
export interface Distribution {
  nines: number[]
  percentile: number[]
  ms: number[]
}

/** Answers slower than this (2 minutes) are clamped: no client waits that long anyway. */
const HIGHEST_US = 120_000_000

export function newHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
  })
}

export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000))))
}

const ms = (us: number) => Math.round(us) / 1000

export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0)
    return { count: 0, mean: null, p50: null, p90: null, p99: null, p99_9: null, max: null }
  return {
    count: h.totalCount,
    mean: Math.round(h.mean) / 1000,
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p99_9: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  }
}

/** Quarter-nine steps up to the precision the sample count supports (1,000 answers: up to 99.9 %). */
export function distribution(h: Histogram): Distribution {
  const out: Distribution = { nines: [], percentile: [], ms: [] }
  if (h.totalCount === 0) return out
  const maxNines = Math.min(6, Math.log10(h.totalCount))
  for (let step = 0; step / 4 <= maxNines; step++) {
    const nines = step / 4
    const p = 100 * (1 - 10 ** -nines)
    out.nines.push(nines)
    out.percentile.push(Number(p.toFixed(4)))
    out.ms.push(ms(h.getValueAtPercentile(p)))
  }
  out.nines.push(Number((maxNines + 0.25).toFixed(2)))
  out.percentile.push(100)
  out.ms.push(ms(h.maxValue))
  return out
}
