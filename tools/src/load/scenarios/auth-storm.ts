// auth-storm: --buyers users arrive at --rate users/s (or as --stages ramp it; an open loop: arrivals
// do not wait for answers) and each registers, logs in, refreshes and asks /api/me with the new token
// — a polite client that waits out every 429/503 Retry-After. Every HTTP answer goes into the run's
// latency figures; each user's time from arrival to logged-in is measured too. Besides pass/fail it
// measures capacity: the sign-in rate the service sustained and the arrival rate it held.
import { ApiClient } from '@flash/api-client'
import { Agent } from 'undici'
import { audit } from '../audit/types.ts'
import { newCredentials } from '../engine/buyers.ts'
import { summarize } from '../engine/latency.ts'
import { arrivalTimes } from '../engine/stages.ts'
import { runStorm, type StormRun } from '../engine/storm.ts'
import type { ScenarioContext, ScenarioOutcome } from './types.ts'

/** Attempts per call, shed ones included: a polite client does not retry forever. */
export const STORM_MAX_ATTEMPTS = 30
/** Sign-ins keeping up with arrivals within this share count as holding the arrival rate. */
export const HOLD_SHARE = 0.9

export interface Capacity {
  /** Arrivals per second offered: users ÷ the span of their arrivals. */
  offeredPerS: number
  /** Users in per second, from the first arrival until the last user was in. */
  signinPerS: number | null
  /** Every user got in and sign-ins kept up with arrivals (≥ HOLD_SHARE of the offered rate). */
  held: boolean
  /** The arrival rate it can hold: at least the offered one if held, else the sign-in rate. */
  holdsPerS: number | null
}

/** Capacity from one storm (pure): `arrivalsS` from the first to the last arrival, `inS` to the last user in. */
export function capacity(users: number, usersIn: number, arrivalsS: number, inS: number | null): Capacity {
  const offeredPerS = users / Math.max(1, arrivalsS)
  const signinPerS = inS === null || inS <= 0 ? null : usersIn / Math.max(inS, arrivalsS, 1)
  const held = usersIn === users && signinPerS !== null && signinPerS >= HOLD_SHARE * offeredPerS
  return { offeredPerS, signinPerS, held, holdsPerS: held ? offeredPerS : signinPerS }
}

export async function authStorm(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const { options, progress } = ctx
  const rate = options.rate ?? 10
  const arrivalsS = options.stages ? arrivalTimes(options.stages, options.buyers) : undefined
  const users = arrivalsS
    ? arrivalsS.length
    : Math.min(options.buyers, Math.max(1, Math.floor(rate * options.durationS)))
  const dispatcher = new Agent({ connections: options.connections, keepAliveTimeout: 10_000 })
  const client = new ApiClient({ baseUrl: options.url, dispatcher, timeoutMs: options.timeoutS * 1000 })
  const after = { refreshed: 0, meOk: 0 }
  const arrivalsEndMs = arrivalsS ? (arrivalsS.at(-1) ?? 0) * 1000 : (users / rate) * 1000
  let live: { stop(): void } | undefined
  let storm: StormRun
  try {
    storm = await runStorm({
      client,
      credentials: newCredentials(users),
      rate,
      arrivalsS,
      deadlineMs: Date.now() + arrivalsEndMs + options.drainTimeoutS * 1000,
      maxAttempts: STORM_MAX_ATTEMPTS,
      signal: ctx.signal,
      measure: ctx.measure,
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
  const inS = storm.lastInAtMs === undefined ? null : (storm.lastInAtMs - storm.startedAtMs) / 1000
  const cap = capacity(tally.arrived, tally.in, arrivalsEndMs / 1000, inS)
  const ok = (id: string, label: string, n: number) => ({
    id,
    label,
    pass: n === tally.arrived,
    detail: `${n} of ${tally.arrived}`,
  })
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10)
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
      offered_per_s: round(cap.offeredPerS),
      signin_per_s: round(cap.signinPerS),
      holds_per_s: round(cap.holdsPerS),
      // Register and login hash a password each: what the argon2id budget was spent on.
      hashes_per_s: inS ? round((tally.registered + tally.logins) / Math.max(inS, 0.001)) : null,
      all_in_ms: tally.in === tally.arrived && inS !== null ? Math.round(inS * 1000) : null,
    },
    audit: audit([
      ok('users-in', 'every user registered and logged in', tally.in),
      ok('refresh', 'every refresh token worked once', after.refreshed),
      ok('me', 'every refreshed access token is accepted (GET /api/me as that user)', after.meOk),
    ]),
    setup: { users, rate_users_per_s: arrivalsS ? null : rate, arrivals_s: arrivalsEndMs / 1000 },
    notes: [
      `each user: register → login → refresh → me; 429/503 waited out per Retry-After (${tally.shed} times, ` +
        `at most ${STORM_MAX_ATTEMPTS} attempts per call, until ${options.drainTimeoutS} s after the last arrival)`,
      capacityNote(cap),
    ],
  }
}

export function capacityNote(c: Capacity): string {
  const f = (v: number | null) => (v === null ? 'n/a' : v.toFixed(1))
  return c.held
    ? `capacity: held ${f(c.offeredPerS)} arrivals/s (sign-ins kept up at ${f(c.signinPerS)} users/s); ` +
        'a higher --rate (or --stages) finds where it stops holding'
    : `capacity: did not hold ${f(c.offeredPerS)} arrivals/s; sign-ins sustained ${f(c.signinPerS)} users/s, ` +
        'the arrival rate it can hold (each user costs two password hashes: register and login)'
}
