// auth-storm: --buyers users arrive at --rate users/s (an open loop: arrivals do not wait for answers)
// and each registers, logs in, refreshes and asks /api/me with the new token — a polite client that
// waits out every 429/503 Retry-After. Every HTTP answer goes into the run's latency figures; each
// user's time from arrival to logged-in is measured too.
import { setTimeout as sleep } from 'node:timers/promises'
import { ApiClient, type ApiResult } from '@flash/api-client'
import { Agent } from 'undici'
import { audit } from '../audit/types.ts'
import { newCredentials } from '../buyers.ts'
import { newHistogram, recordMs, summarize } from '../latency.ts'
import { isShed, retryAfterMs } from '../polite.ts'
import { Recorder } from '../recorder.ts'
import type { ScenarioContext, ScenarioOutcome } from './types.ts'

interface Tally {
  arrived: number
  in: number
  refreshed: number
  meOk: number
  gaveUp: number
  shed: number
}

export async function authStorm(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const { options, progress } = ctx
  const rate = options.rate ?? 100
  const users = Math.min(options.buyers, Math.max(1, Math.floor(rate * options.durationS)))
  const dispatcher = new Agent({ connections: options.connections, keepAliveTimeout: 10_000 })
  const client = new ApiClient({ baseUrl: options.url, dispatcher, timeoutMs: options.timeoutS * 1000 })
  const recorder = new Recorder()
  const timeIn = newHistogram()
  const tally: Tally = { arrived: 0, in: 0, refreshed: 0, meOk: 0, gaveUp: 0, shed: 0 }
  const arrivalsEndMs = (users / rate) * 1000
  const deadlineMs = Date.now() + arrivalsEndMs + options.drainTimeoutS * 1000

  /** One call, timed and recorded; shed answers are waited out until the deadline. */
  const timed = async <T>(call: () => Promise<ApiResult<T>>): Promise<ApiResult<T> | undefined> => {
    for (;;) {
      const started = performance.now()
      let result: ApiResult<T>
      try {
        result = await call()
      } catch (error) {
        recorder.error((error as { code?: string }).code ?? (error as Error).message)
        return undefined
      }
      recorder.record(result.status, performance.now() - started)
      if (!isShed(result.status)) return result
      tally.shed++
      const waitMs = retryAfterMs(result.headers['retry-after']) + Math.random() * 100
      if (Date.now() + waitMs > deadlineMs || ctx.signal.aborted) return result
      await sleep(waitMs)
    }
  }

  const user = async (i: number, c: { email: string; password: string }) => {
    const arrived = performance.now()
    tally.arrived++
    const reg = await timed(() => client.register({ name: `Storm user ${i}`, ...c }))
    const login = reg?.ok ? await timed(() => client.login(c)) : undefined
    if (!login?.ok) {
      tally.gaveUp++
      return
    }
    tally.in++
    recordMs(timeIn, performance.now() - arrived)
    const refreshed = await timed(() => client.refresh(login.data.refresh_token))
    if (!refreshed?.ok) return
    tally.refreshed++
    const me = await timed(() => client.me(refreshed.data.access_token))
    if (me?.ok && me.data.email.toLowerCase() === c.email.toLowerCase()) tally.meOk++
  }

  const credentials = newCredentials(users)
  const live = progress.live(
    Math.ceil(arrivalsEndMs / 1000),
    () => recorder.live(),
    () => `users in ${tally.in}/${users} · shed ${tally.shed}`,
  )
  const flows: Promise<void>[] = []
  const start = performance.now()
  try {
    for (let i = 0; i < users && !ctx.signal.aborted; i++) {
      // Arrival i at i/rate seconds: a fixed schedule, however slow the answers are.
      const due = start + (i * 1000) / rate - performance.now()
      if (due > 0) await sleep(due)
      flows.push(user(i, credentials[i]!))
    }
    await Promise.all(flows)
  } finally {
    live.stop()
    await dispatcher.close()
  }
  const run = recorder.finish()
  const t = summarize(timeIn)
  const ok = (id: string, label: string, n: number) => ({
    id,
    label,
    pass: n === tally.arrived,
    detail: `${n} of ${tally.arrived}`,
  })
  return {
    run,
    metrics: {
      users: tally.arrived,
      users_in: tally.in,
      users_out: tally.arrived - tally.in,
      shed: tally.shed,
      time_in_p50: t.p50,
      time_in_p99: t.p99,
      time_in_max: t.max,
    },
    audit: audit([
      ok('users-in', 'every user registered and logged in', tally.in),
      ok('refresh', 'every refresh token worked once', tally.refreshed),
      ok('me', 'every refreshed access token is accepted (GET /api/me as that user)', tally.meOk),
    ]),
    setup: { users, rate_users_per_s: rate, arrivals_s: arrivalsEndMs / 1000 },
    notes: [
      `each user: register → login → refresh → me; 429/503 waited out per Retry-After (${tally.shed} times)`,
    ],
  }
}
