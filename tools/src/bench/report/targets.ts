// The platform's speed targets (docs/benchmarks.md) judged from one run's numbers, and the ratios they are made of (pure).
import { fmtNum, fmtPct, fmtTimes, formatStatuses } from './format.ts'
import type { LoadStats, Results, ScenarioName, ScenarioResult, Target } from './types.ts'

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

/** 5xx answers of a run. */
export const fiveXx = (statuses: Record<string, number>) =>
  Object.entries(statuses).reduce((sum, [s, n]) => (Number(s) >= 500 ? sum + n : sum), 0)

/** "No 5xx": neither a 5xx answer nor a request that got no answer (connection error, timeout). */
export function noFiveXx(scenario: ScenarioName, what: string, load: LoadStats): Target {
  const five = fiveXx(load.statuses)
  return {
    scenario,
    label: `${what}: no 5xx, no client errors or timeouts`,
    goal: '0',
    measured: `${fmtNum(five)} × 5xx, ${fmtNum(load.errors)} errors (${fmtNum(load.timeouts)} timeouts)`,
    pass: five === 0 && load.errors === 0,
    context: `${fmtNum(count(load.statuses, 409))} of ${fmtNum(load.responses)} answers 409`,
  }
}

function soldOutTargets(results: Results): Target[] {
  const baseline = results.baseline
  const soldOut = results['sold-out']
  if (!soldOut || soldOut.error || !soldOut.load) return []
  const l = soldOut.load
  const r = ratio(l.rps, baseline?.load?.rps)
  return [
    {
      scenario: 'sold-out',
      label: `sold-out req/s vs bare Fastify POST (${l.connections} connections)`,
      goal: '≥ 50 %',
      measured: fmtPct(r),
      pass: r == null ? null : r >= 0.5,
      context: `${fmtNum(l.rps)} vs ${fmtNum(baseline?.load?.rps)} req/s`,
    },
    noFiveXx('sold-out', `sold-out at ${l.connections} connections`, l),
    {
      // Not a target: a closed loop's mean latency is connections ÷ throughput (Little's law).
      scenario: 'sold-out',
      label: `sold-out p99 at ${l.connections} connections (closed loop)`,
      goal: '—',
      measured: `${fmtNum(l.p99Ms)} ms`,
      pass: null,
      info: true,
      context:
        `Little's law: mean = ${l.connections} connections ÷ ${fmtNum(l.rps)} req/s = ` +
        `${fmtNum((l.connections * 1000) / l.rps)} ms; bare handler p99 ${fmtNum(baseline?.load?.p99Ms)} ms; ` +
        'the latency target is set at a chosen rate (sold-out-rate)',
    },
  ]
}

/** At a fixed offered rate, p99 counts only if the rate was actually served (else requests were never sent). */
const RATE_REACHED = 0.9

function soldOutRateTargets(results: Results): Target[] {
  const r = results['sold-out-rate']
  if (!r || r.error || !r.load) return []
  const l = r.load
  const bare = results.baseline?.atRate
  const bareAtRate =
    bare && bare.rate === r.offeredRate
      ? `; the bare handler at the same rate: p99 ${fmtNum(bare.load.p99Ms, 1)} ms, p50 ${fmtNum(bare.load.p50Ms, 1)} ms`
      : ''
  const reached = r.offeredRate ? l.rps / r.offeredRate : null
  const p99ok = atMost(l.p99Ms, 20)
  return [
    {
      scenario: 'sold-out-rate',
      label: `sold-out p99 at a fixed ${fmtNum(r.offeredRate)} req/s (½ bare handler)`,
      goal: '≤ 20 ms',
      measured: `${fmtNum(l.p99Ms, 1)} ms`,
      pass: p99ok == null || reached == null ? null : p99ok && reached >= RATE_REACHED,
      context:
        `answered ${fmtNum(l.rps)} req/s = ${fmtPct(reached)} of the offered rate (≥ 90 % needed) over ` +
        `${l.connections} connections; p50 ${fmtNum(l.p50Ms, 1)} ms, p99.9 ${fmtNum(l.hdr?.latency.p99_9, 1)} ms` +
        bareAtRate,
    },
  ]
}

function acceptedTargets(results: Results): Target[] {
  const accepted = results.accepted
  if (!accepted || accepted.error || !accepted.load) return []
  const f = accepted.finalizer
  return [
    {
      scenario: 'accepted',
      label: `accepted orders/s (202, ${accepted.load.connections} connections)`,
      goal: '≥ 5,000/s',
      measured: `${fmtNum(accepted.acceptedPerS)}/s`,
      pass: atLeast(accepted.acceptedPerS, 5000),
    },
    {
      scenario: 'accepted',
      label: `accepted p99 at ${accepted.load.connections} connections`,
      goal: '≤ 100 ms',
      measured: `${fmtNum(accepted.load.p99Ms)} ms`,
      pass: atMost(accepted.load.p99Ms, 100),
    },
    {
      scenario: 'accepted',
      label: 'finalizer commits/s during load (first → last commit)',
      goal: '≥ 3,000/s',
      measured: f ? `${fmtNum(f.commitsPerS)}/s${f.drained ? '' : ' (not drained)'}` : 'n/a',
      pass: f ? atLeast(f.commitsPerS, 3000) : null,
      context: f ? `the backlog alone, after the load: ${fmtNum(f.drainCommitsPerS)}/s` : undefined,
    },
  ]
}

function flashSaleTargets(results: Results): Target[] {
  const flash = results['flash-sale']
  if (!flash || flash.error || !flash.load) return []
  const naive = results.naive?.error ? undefined : results.naive
  const answered = ratio(answeredPerS(flash), answeredPerS(naive))
  // Sold out n× faster: the naive design's time to sell the units over ours.
  const faster = ratio(naive?.sellOutMs, flash.sellOutMs)
  const notSold = [
    ...(flash.sellOutMs == null ? ['ours'] : []),
    ...(naive && naive.sellOutMs == null ? ['naive'] : []),
  ]
  const checks = flash.checks ?? []
  const failed = checks.filter((c) => !c.pass)
  const terminal = flash.terminalAfterLoadMs
  return [
    {
      scenario: 'flash-sale',
      label: 'flash sale: answered/s vs naive SELECT … FOR UPDATE',
      goal: '≥ 5×',
      measured: fmtTimes(answered),
      pass: answered == null ? null : answered >= 5,
      context:
        `${fmtNum(answeredPerS(flash))} vs ${fmtNum(answeredPerS(naive))} req/s; ` +
        `bare handler vs naive: ${fmtTimes(ratio(results.baseline?.load?.rps, answeredPerS(naive)))}`,
    },
    {
      scenario: 'flash-sale',
      label: 'flash sale: sold out faster than naive (sell-out time naive ÷ ours)',
      goal: '≥ 3×',
      measured: fmtTimes(faster),
      pass: faster == null ? null : faster >= 3,
      context:
        `sold out in ${fmtNum(flash.sellOutMs)} vs ${fmtNum(naive?.sellOutMs)} ms; ` +
        `accepted/s ${fmtNum(flash.acceptedPerS)} vs ${fmtNum(naive?.acceptedPerS)}` +
        (notSold.length ? `; not sold out within the run: ${notSold.join(', ')} (a longer --sale-max)` : ''),
    },
    {
      scenario: 'flash-sale',
      label: 'flash sale: every order terminal after the last request',
      goal: '≤ 5 s',
      measured:
        terminal == null
          ? flash.finalizer?.drained === false
            ? 'not drained'
            : 'n/a'
          : `${fmtNum(terminal)} ms`,
      pass: terminal == null ? (flash.finalizer?.drained === false ? false : null) : terminal <= 5000,
      context:
        `end of the load → no order pending (MySQL sampled every ${fmtNum(flash.terminalSampleMs)} ms); ` +
        `from the sell-out: ${fmtNum(flash.terminalAfterSellOutMs)} ms; ` +
        `${fmtNum(flash.finalizer?.completed)} completed, ${fmtNum(flash.finalizer?.failed)} failed`,
    },
    {
      scenario: 'flash-sale',
      label: 'flash sale invariants (I1 I2 I3 I4 I6)',
      goal: 'all PASS',
      measured: checks.length
        ? failed.length
          ? `FAIL: ${failed.map((c) => c.id).join(', ')}`
          : 'PASS'
        : 'n/a',
      pass: checks.length ? failed.length === 0 : null,
    },
  ]
}

function authStormTargets(results: Results): Target[] {
  const r = results['auth-storm']
  const s = r?.authStorm
  if (!r || r.error || !r.load || !s) return []
  const perCore = s.loginsPerS != null && s.authCores ? s.loginsPerS / s.authCores : null
  return [
    {
      scenario: 'auth-storm',
      label: `auth storm: every user in (${fmtNum(s.users)} at ${fmtNum(s.rate)}/s)`,
      goal: `all, within ${fmtNum(s.boundMs / 1000)} s`,
      measured: `${fmtNum(s.usersIn)} / ${fmtNum(s.users)}${s.allInAfterMs == null ? '' : ` after ${fmtNum(s.allInAfterMs / 1000, 1)} s`}`,
      pass: s.usersIn === s.users && s.allInAfterMs != null && s.allInAfterMs <= s.boundMs,
      context:
        `arrivals took ${fmtNum(s.users / s.rate, 1)} s; ${fmtNum(s.shed)} shed answers waited out; arrival → in ` +
        `p50 ${fmtNum(s.timeInP50Ms)} ms, p99 ${fmtNum(s.timeInP99Ms)} ms; ${s.passwordParams}`,
    },
    {
      scenario: 'auth-storm',
      label: 'auth storm: p99 of every auth answer (served or shed)',
      goal: '≤ 3 s',
      measured: `${fmtNum(r.load.p99Ms)} ms`,
      pass: atMost(r.load.p99Ms, 3000),
      context:
        `${fmtNum(r.load.responses)} answers: ${formatStatuses(r.load.statuses, r.load.errors)}; ` +
        `logins/s ${fmtNum(s.loginsPerS)}, per auth-service core ${fmtNum(perCore)} ` +
        `(${s.authCores == null ? 'n/a' : s.authCores.toFixed(2)} cores); password hashes served ${fmtNum(s.hashesPerS)}/s ` +
        `= ${fmtNum(s.hashesPerS != null && s.authCores ? (s.authCores * 1000) / s.hashesPerS : null, 1)} ms of CPU each`,
    },
  ]
}

/** The speed targets (docs/benchmarks.md), each judged from this run's numbers (null = could not be judged). */
export function evaluateTargets(results: Results): Target[] {
  return [
    ...soldOutTargets(results),
    ...soldOutRateTargets(results),
    ...acceptedTargets(results),
    ...flashSaleTargets(results),
    ...authStormTargets(results),
  ]
}
