// 6. auth-storm: the load tool's auth-storm scenario (tools/src/load/scenarios/auth-storm.ts), run with
// its own flags: --storm-users users (1,000) arrive at --storm-rate users/s (100) on a fixed schedule
// and each registers, logs in, refreshes and asks /api/me — polite clients that wait out 429/503 per
// Retry-After, a bounded number of times within a bounded time. It runs against an auth-service of its
// own with the default (production) password hashing: the main stack hashes cheaply so that
// registering the buyers is quick set-up. The harness adds the storm auth-service's CPU.
import { STORM_MAX_ATTEMPTS } from '../../load/scenarios/auth-storm.ts'
import type { AuthStormStats, ScenarioResult } from '../report/types.ts'
import type { RunContext } from './context.ts'
import { runEngine } from './engine.ts'

/** After the last arrival, how long a user may still be waiting out shed answers: "within a bounded time". */
export const STORM_GRACE_S = 30
/** A single auth answer slower than this is a client timeout (an error, not an answer). */
const CALL_TIMEOUT_S = 30

export async function authStorm(ctx: RunContext): Promise<ScenarioResult> {
  const { options } = ctx
  const users = options.stormUsers
  const rate = options.stormRate
  const auth = await ctx.platform.startDefaultAuth()
  const params = ['PASSWORD_HASH_MEMORY_KIB', 'PASSWORD_HASH_PASSES']
    .map((k) => `${k}=${options.serviceEnv[k] ?? 'default'}`)
    .join(', ')
  try {
    const { outcome, load } = await runEngine(ctx, 'auth-storm', {
      scenario: 'auth-storm',
      args: [
        ...['--url', auth.url, '--buyers', String(users), '--rate', String(rate)],
        ...['--duration', String(Math.ceil(users / rate))],
        ...['--drain-timeout', String(STORM_GRACE_S), '--timeout', String(CALL_TIMEOUT_S)],
      ],
      pids: { 'auth-service (storm)': auth.pid },
    })
    const cpu = load.cpu
    const { run, metrics: m } = outcome
    const boundMs = (users / rate + STORM_GRACE_S) * 1000
    const stats: AuthStormStats = {
      users: m.users ?? 0,
      rate,
      usersIn: m.users_in ?? 0,
      gaveUp: m.users_out ?? 0,
      shed: m.shed ?? 0,
      allInAfterMs: m.all_in_ms ?? null,
      boundMs,
      maxAttempts: STORM_MAX_ATTEMPTS,
      loginsPerS: m.signin_per_s ?? null,
      hashesPerS: m.hashes_per_s ?? null,
      authCores: cpu?.procs['auth-service (storm)'] ?? null,
      timeInP50Ms: m.time_in_p50 ?? null,
      timeInP99Ms: m.time_in_p99 ?? null,
      timeInMaxMs: m.time_in_max ?? null,
      passwordParams: params,
    }
    ctx.say(
      `auth-storm: ${stats.usersIn}/${users} in${stats.allInAfterMs === null ? '' : ` after ${Math.round(stats.allInAfterMs)} ms`}, ` +
        `${stats.shed} shed, p99 of every answer ${Math.round(load.p99Ms)} ms, ` +
        `${Math.round(stats.loginsPerS ?? 0)} logins/s (${params})`,
    )
    const odd = Object.keys(run.statuses).filter((s) => Number(s) >= 500 && Number(s) !== 503)
    if (odd.length || run.errorCount)
      ctx.problem(
        `auth-storm: unexpected answers ${odd.map((s) => `${s}×${run.statuses[s]}`).join(' ')}` +
          `${run.errorCount ? ` errors×${run.errorCount}` : ''}`,
      )
    return {
      name: 'auth-storm',
      load,
      authStorm: stats,
      notes: [
        `each user: register → login → refresh → me against an auth-service of its own with ${params} ` +
          `(auth rate limit lifted as for every scenario: all users come from 127.0.0.1); 429/503 waited out ` +
          `per Retry-After, at most ${STORM_MAX_ATTEMPTS} attempts per call and ${Math.round(boundMs / 1000)} s in all`,
        ...outcome.notes.slice(1),
      ],
    }
  } finally {
    await auth.stop()
  }
}
