// 6. auth-storm: --storm-users users (1,000) arrive at --storm-rate users/s (100) on a fixed schedule
// and each registers and logs in — the load tool's storm (tools/src/load/storm.ts): polite clients
// that wait out 429/503 per Retry-After, a bounded number of times within a bounded time. It runs
// against an auth-service of its own with the default (production) password hashing: the main
// stack hashes cheaply so that registering the buyers is quick set-up.
import { ApiClient } from '@flash/api-client'
import { Agent } from 'undici'
import { newCredentials } from '../../load/engine/buyers.ts'
import { summarize } from '../../load/engine/latency.ts'
import { runStorm } from '../../load/engine/storm.ts'
import { loadStatsOf } from '../load.ts'
import { cpuSample, cpuUse } from '../readings/host-stats.ts'
import type { AuthStormStats, LoadStats, ScenarioResult } from '../report/types.ts'
import { connections, type ScenarioContext } from './context.ts'

/** After the last arrival, how long a user may still be waiting out shed answers: "within a bounded time". */
export const STORM_GRACE_MS = 30_000
/** Attempts per call (register, login), shed ones included: a polite client does not retry forever. */
export const STORM_MAX_ATTEMPTS = 30
/** A single auth answer slower than this is a client timeout (an error, not an answer). */
const CALL_TIMEOUT_MS = 30_000

export async function authStorm(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { options } = ctx
  const users = options.stormUsers
  const rate = options.stormRate
  const auth = await ctx.platform.startDefaultAuth()
  const params = ['PASSWORD_HASH_MEMORY_KIB', 'PASSWORD_HASH_PASSES']
    .map((k) => `${k}=${options.serviceEnv[k] ?? 'default'}`)
    .join(', ')
  const conns = connections(ctx, 'auth-storm')
  const dispatcher = new Agent({ connections: conns, keepAliveTimeout: 10_000 })
  try {
    const client = new ApiClient({ baseUrl: auth.url, dispatcher, timeoutMs: CALL_TIMEOUT_MS })
    const arrivalsMs = (users / rate) * 1000
    const boundMs = arrivalsMs + STORM_GRACE_MS
    const pids = { ...ctx.platform.pids(), 'auth-service (storm)': auth.pid, 'load generator': process.pid }
    const cpuBefore = await cpuSample(pids)
    const storm = await runStorm({
      client,
      credentials: newCredentials(users),
      rate,
      deadlineMs: Date.now() + boundMs,
      maxAttempts: STORM_MAX_ATTEMPTS,
      signal: ctx.signal,
    })
    const cpuAfter = await cpuSample(pids)
    const cpu = cpuBefore && cpuAfter ? cpuUse(cpuBefore, cpuAfter) : undefined
    const run = storm.recorder.finish(storm.endedAtMs)
    const { tally } = storm
    const allInAfterMs =
      tally.in === users && storm.lastInAtMs !== undefined ? storm.lastInAtMs - storm.startedAtMs : null
    const spanMs = (storm.lastInAtMs ?? storm.endedAtMs) - storm.startedAtMs
    const served = Object.entries(run.statuses).reduce(
      (sum, [status, n]) => (Number(status) >= 200 && Number(status) < 300 ? sum + n : sum),
      0,
    )
    const authCores = cpu?.procs['auth-service (storm)'] ?? null
    const timeIn = summarize(storm.timeIn)
    const stats: AuthStormStats = {
      users,
      rate,
      usersIn: tally.in,
      gaveUp: tally.gaveUp,
      shed: tally.shed,
      allInAfterMs,
      boundMs,
      maxAttempts: STORM_MAX_ATTEMPTS,
      loginsPerS: spanMs > 0 ? (tally.logins * 1000) / spanMs : null,
      hashesPerS: spanMs > 0 ? (served * 1000) / spanMs : null,
      authCores,
      timeInP50Ms: timeIn.p50,
      timeInP99Ms: timeIn.p99,
      timeInMaxMs: timeIn.max,
      passwordParams: params,
    }
    const load: LoadStats = { ...loadStatsOf(run, conns), cpu }
    ctx.say(
      `auth-storm: ${tally.in}/${users} in${allInAfterMs === null ? '' : ` after ${Math.round(allInAfterMs)} ms`}, ` +
        `${tally.shed} shed, p99 of every answer ${Math.round(load.p99Ms)} ms, ` +
        `${Math.round(stats.loginsPerS ?? 0)} logins/s (${params})`,
    )
    if (tally.in < users) ctx.problem(`auth-storm: ${users - tally.in} of ${users} users never got in`)
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
        `each user: register → login against an auth-service of its own with ${params} ` +
          `(auth rate limit lifted as for every scenario: all users come from 127.0.0.1); 429/503 waited out ` +
          `per Retry-After, at most ${STORM_MAX_ATTEMPTS} attempts per call and ${Math.round(boundMs / 1000)} s in all`,
      ],
    }
  } finally {
    await dispatcher.close()
    await auth.stop()
  }
}
