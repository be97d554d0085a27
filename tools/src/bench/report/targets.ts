// The platform's speed targets (docs/benchmarks.md) judged from one run's numbers, and the ratios they are made of (pure).
import { fmtNum, fmtPct, fmtTimes } from './format.ts'
import type { LoadStats, Results, ScenarioResult, Target } from './types.ts'

/** a / b, or null when either is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null
  return a / b
}

export const count = (statuses: Record<string, number>, status: number | string) =>
  statuses[String(status)] ?? 0

/** Responses with a status other than the expected ones (and connection errors), for the problems list. */
export function unexpectedStatuses(load: LoadStats, expected: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [status, n] of Object.entries(load.statuses)) {
    if (!expected.includes(Number(status)) && n > 0) out[status] = n
  }
  if (load.errors > 0) out.errors = load.errors
  return out
}

function atLeast(value: number | null | undefined, goal: number): boolean | null {
  return value == null || !Number.isFinite(value) ? null : value >= goal
}
function atMost(value: number | null | undefined, goal: number): boolean | null {
  return value == null || !Number.isFinite(value) ? null : value <= goal
}

/** Answered requests per second of a flash sale (every status counts: a 409 is an answer). */
const answeredPerS = (r: ScenarioResult | undefined) => r?.load?.rps

/** The speed targets (docs/benchmarks.md), each judged from this run's numbers (null = could not be judged). */
export function evaluateTargets(results: Results): Target[] {
  const targets: Target[] = []
  const baseline = results.baseline
  const soldOut = results['sold-out']
  if (soldOut && !soldOut.error && soldOut.load) {
    const r = ratio(soldOut.load.rps, baseline?.load?.rps)
    targets.push({
      scenario: 'sold-out',
      label: 'sold-out req/s vs bare Fastify POST',
      goal: '≥ 50 %',
      measured: fmtPct(r),
      pass: r == null ? null : r >= 0.5,
      context: `${fmtNum(soldOut.load.rps)} vs ${fmtNum(baseline?.load?.rps)} req/s`,
    })
    targets.push({
      scenario: 'sold-out',
      label: `sold-out p99 at ${soldOut.load.connections} connections`,
      goal: '≤ 20 ms',
      measured: `${fmtNum(soldOut.load.p99Ms)} ms`,
      pass: atMost(soldOut.load.p99Ms, 20),
      context:
        `bare handler p99 ${fmtNum(baseline?.load?.p99Ms)} ms; closed loop: mean = connections / req/s = ` +
        `${fmtNum((soldOut.load.connections * 1000) / soldOut.load.rps)} ms`,
    })
    const total = soldOut.load.responses
    const conflicts = count(soldOut.load.statuses, 409)
    targets.push({
      scenario: 'sold-out',
      label: 'sold-out answers are all 409',
      goal: '100 %',
      measured: `${fmtNum(conflicts)} / ${fmtNum(total)}${soldOut.load.errors ? ` (+${soldOut.load.errors} errors)` : ''}`,
      pass: total > 0 && conflicts === total && soldOut.load.errors === 0,
    })
  }
  const accepted = results.accepted
  if (accepted && !accepted.error && accepted.load) {
    targets.push({
      scenario: 'accepted',
      label: 'accepted orders/s (202)',
      goal: '≥ 5,000/s',
      measured: `${fmtNum(accepted.acceptedPerS)}/s`,
      pass: atLeast(accepted.acceptedPerS, 5000),
    })
    targets.push({
      scenario: 'accepted',
      label: `accepted p99 at ${accepted.load.connections} connections`,
      goal: '≤ 100 ms',
      measured: `${fmtNum(accepted.load.p99Ms)} ms`,
      pass: atMost(accepted.load.p99Ms, 100),
    })
    const f = accepted.finalizer
    targets.push({
      scenario: 'accepted',
      label: 'finalizer commits/s (first → last commit)',
      goal: '≥ 3,000/s',
      measured: f ? `${fmtNum(f.commitsPerS)}/s${f.drained ? '' : ' (not drained)'}` : 'n/a',
      pass: f ? atLeast(f.commitsPerS, 3000) : null,
    })
  }
  const flash = results['flash-sale']
  const naive = results.naive
  if (flash && !flash.error && flash.load) {
    const answered = ratio(answeredPerS(flash), naive?.error ? null : answeredPerS(naive))
    targets.push({
      scenario: 'flash-sale',
      label: 'flash sale: answered/s vs naive',
      goal: '≥ 10×',
      measured: fmtTimes(answered),
      pass: answered == null ? null : answered >= 10,
      context:
        `${fmtNum(answeredPerS(flash))} vs ${fmtNum(answeredPerS(naive))} req/s; ` +
        `bare handler vs naive: ${fmtTimes(ratio(baseline?.load?.rps, naive?.error ? null : answeredPerS(naive)))}`,
    })
    const acc = ratio(flash.acceptedPerS, naive?.error ? null : naive?.acceptedPerS)
    targets.push({
      scenario: 'flash-sale',
      label: 'flash sale: accepted/s vs naive',
      goal: '≥ 3×',
      measured: fmtTimes(acc),
      pass: acc == null ? null : acc >= 3,
      context: `sold out in ${fmtNum(flash.sellOutMs)} vs ${fmtNum(naive?.sellOutMs)} ms`,
    })
    const checks = flash.checks ?? []
    const failed = checks.filter((c) => !c.pass)
    targets.push({
      scenario: 'flash-sale',
      label: 'flash sale invariants (I1 I2 I3 I4 I6)',
      goal: 'all PASS',
      measured: checks.length
        ? failed.length
          ? `FAIL: ${failed.map((c) => c.id).join(', ')}`
          : 'PASS'
        : 'n/a',
      pass: checks.length ? failed.length === 0 : null,
    })
  }
  return targets
}
