// auth-storm: --buyers users arrive at --rate users/s (an open loop: arrivals do not wait for answers)
// and each registers, logs in, refreshes and asks /api/me with the new token — a polite client that
// waits out every 429/503 Retry-After. Every HTTP answer goes into the run's latency figures; each
// user's time from arrival to logged-in is measured too.
import { ApiClient } from '@flash/api-client'
import { Agent } from 'undici'
import { audit } from '../audit/types.ts'
import { newCredentials } from '../buyers.ts'
import { summarize } from '../latency.ts'
import { runStorm, type StormRun } from '../storm.ts'
import type { ScenarioContext, ScenarioOutcome } from './types.ts'

export async function authStorm(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const { options, progress } = ctx
  const rate = options.rate ?? 100
  const users = Math.min(options.buyers, Math.max(1, Math.floor(rate * options.durationS)))
  const dispatcher = new Agent({ connections: options.connections, keepAliveTimeout: 10_000 })
  const client = new ApiClient({ baseUrl: options.url, dispatcher, timeoutMs: options.timeoutS * 1000 })
  const after = { refreshed: 0, meOk: 0 }
  const arrivalsEndMs = (users / rate) * 1000
  let live: { stop(): void } | undefined
  let storm: StormRun
  try {
    storm = await runStorm({
      client,
      credentials: newCredentials(users),
      rate,
      deadlineMs: Date.now() + arrivalsEndMs + options.drainTimeoutS * 1000,
      signal: ctx.signal,
      onStart: (recorder, t) => {
        live = progress.live(
          Math.ceil(arrivalsEndMs / 1000),
          () => recorder.live(),
          () => `users in ${t.in}/${users} · shed ${t.shed}`,
        )
      },
      afterLogin: async (login, timed, email) => {
        const refreshed = await timed(() => client.refresh(login.refresh_token))
        if (!refreshed?.ok) return
        after.refreshed++
        const me = await timed(() => client.me(refreshed.data.access_token))
        if (me?.ok && me.data.email.toLowerCase() === email.toLowerCase()) after.meOk++
      },
    })
  } finally {
    live?.stop()
    await dispatcher.close()
  }
  const { recorder, tally, timeIn } = storm
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
      ok('refresh', 'every refresh token worked once', after.refreshed),
      ok('me', 'every refreshed access token is accepted (GET /api/me as that user)', after.meOk),
    ]),
    setup: { users, rate_users_per_s: rate, arrivals_s: arrivalsEndMs / 1000 },
    notes: [
      `each user: register → login → refresh → me; 429/503 waited out per Retry-After (${tally.shed} times)`,
    ],
  }
}
