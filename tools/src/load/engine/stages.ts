// `--stages '30s:100,60s:500,30s:0'`: the offered rate ramps linearly from the previous stage's target
// (0 before the first) to each stage's target over its duration, as k6 stages do (pure, unit-tested).

export interface Stage {
  durationS: number
  /** Requests (auth-storm: user arrivals) per second at the end of the stage. */
  target: number
}

/** A stretch of the run at one fixed offered rate (0: no load at all). */
export interface Step {
  durationS: number
  rate: number
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/
const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 }

export function parseStages(spec: string): Stage[] {
  const stages = spec.split(',').map((raw) => {
    const part = raw.trim()
    const [duration, target, ...rest] = part.split(':').map((s) => s.trim())
    const d = DURATION.exec(duration ?? '')
    const rate = Number(target)
    if (!d || target === undefined || rest.length || !Number.isInteger(rate) || rate < 0 || rate > 1_000_000)
      throw new Error(`--stages: cannot read "${part}" (want DURATION:RATE, e.g. 30s:100 or 2m:500)`)
    const durationS = Number(d[1]) * UNIT_S[d[2] ?? 's']!
    if (durationS < 1) throw new Error(`--stages: "${part}" lasts less than a second`)
    return { durationS, target: rate }
  })
  const total = stagesDurationS(stages)
  if (total > 3600) throw new Error(`--stages: ${total} s in all, at most 3600`)
  if (stages.every((s) => s.target === 0)) throw new Error('--stages: every target is 0, no load at all')
  return stages
}

export const stagesDurationS = (stages: readonly Stage[]) => stages.reduce((s, x) => s + x.durationS, 0)

/**
 * The stages as fixed-rate steps: a level stage is one step; a ramp is cut into steps of `stepS`
 * seconds, each at the rate halfway through it (rounded), equal neighbours merged.
 */
export function rateSteps(stages: readonly Stage[], stepS = 1): Step[] {
  const steps: Step[] = []
  const push = (durationS: number, rate: number) => {
    const last = steps.at(-1)
    if (last && last.rate === rate) last.durationS += durationS
    else steps.push({ durationS, rate })
  }
  let from = 0
  for (const { durationS, target } of stages) {
    if (from === target) push(durationS, target)
    else
      for (let at = 0; at < durationS; at += stepS) {
        const len = Math.min(stepS, durationS - at)
        push(len, Math.round(from + ((target - from) * (at + len / 2)) / durationS))
      }
    from = target
  }
  return steps
}

/** The rate at `t` seconds into the stages (linear within each stage; 0 after the last). */
export function rateAt(stages: readonly Stage[], t: number): number {
  let from = 0
  let start = 0
  for (const { durationS, target } of stages) {
    if (t < start + durationS) return from + ((target - from) * (t - start)) / durationS
    start += durationS
    from = target
  }
  return 0
}

/**
 * Arrival times (s from the start) of at most `max` arrivals under the stages: arrival i comes when
 * the offered rate integrated over time reaches i (numerically, in steps of `tickS`).
 */
export function arrivalTimes(stages: readonly Stage[], max: number, tickS = 0.001): number[] {
  const end = stagesDurationS(stages)
  const out: number[] = []
  let due = 0
  for (let t = 0; t < end && out.length < max; t += tickS) {
    due += rateAt(stages, t + tickS / 2) * tickS
    while (due >= out.length + 1e-9 && out.length < max) out.push(Number(t.toFixed(6)))
  }
  return out
}
