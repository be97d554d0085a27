// The auth storm's core, shared by `npm run load -- auth-storm` and `npm run bench`'s auth-storm:
// `users` users arrive at `rate` users/s on a fixed schedule (an open loop: arrivals do not wait for
// answers) and each registers and logs in as a polite client — a 429/503 is waited out per its
// Retry-After, a bounded number of times and never past the deadline. Every HTTP answer (served or
// shed) goes into one Recorder; each user's time from arrival to logged in into a histogram.
import { setTimeout as sleep } from 'node:timers/promises'
import type { ApiClient, ApiResult } from '@flash/api-client'
import type { TokenPair } from '@flash/contracts'
import type { Credentials } from './buyers.ts'
import type { Measure } from './cannon.ts'
import { type Histogram, newHistogram, recordMs } from './latency.ts'
import { isShed, retryAfterMs } from './polite.ts'
import { Recorder } from './recorder.ts'

export interface StormTally {
  arrived: number
  /** Registered (201 to POST /api/register). */
  registered: number
  /** Registered and logged in. */
  in: number
  /** Gave up: a non-shed failure, the deadline, or the retry bound. */
  gaveUp: number
  /** Shed answers (429/503) that were waited out or ended a user's attempt. */
  shed: number
  /** Successful logins (200 to POST /api/auth/login). */
  logins: number
}

/** A call timed into the storm's recorder; shed answers retried per Retry-After within the bounds. */
export type TimedCall = <T>(call: () => Promise<ApiResult<T>>) => Promise<ApiResult<T> | undefined>

export interface StormSpec {
  client: ApiClient
  credentials: readonly Credentials[]
  /** Arrivals per second. */
  rate: number
  /** Arrival times in s from the start (from --stages, see stages.ts), instead of one every 1/rate s. */
  arrivalsS?: readonly number[] | undefined
  /** `Date.now()` after which no shed answer is retried. */
  deadlineMs: number
  /** Attempts per call, shed ones included (undefined: until the deadline). */
  maxAttempts?: number | undefined
  signal?: AbortSignal | undefined
  /** After a user logged in (the load tool goes on to refresh and /api/me). */
  afterLogin?: (login: TokenPair, timed: TimedCall, email: string) => Promise<void>
  /** Told when the recorder exists (live progress). */
  onStart?: (recorder: Recorder, tally: StormTally) => void
  /** A harness's readings around the storm (see Measure). */
  measure?: Measure | undefined
}

export interface StormRun {
  recorder: Recorder
  tally: StormTally
  /** Arrival → logged in, per user who got in. */
  timeIn: Histogram
  startedAtMs: number
  /** `performance.now()` when the last user who got in was in (undefined: nobody). */
  lastInAtMs: number | undefined
  endedAtMs: number
}

export async function runStorm(spec: StormSpec): Promise<StormRun> {
  await spec.measure?.started()
  const recorder = new Recorder()
  const timeIn = newHistogram()
  const tally: StormTally = { arrived: 0, registered: 0, in: 0, gaveUp: 0, shed: 0, logins: 0 }
  spec.onStart?.(recorder, tally)
  let lastInAtMs: number | undefined

  const timed: TimedCall = async (call) => {
    for (let attempt = 1; ; attempt++) {
      const started = performance.now()
      let result: Awaited<ReturnType<typeof call>>
      try {
        result = await call()
      } catch (error) {
        recorder.error((error as { code?: string }).code ?? (error as Error).message)
        return undefined
      }
      const at = performance.now()
      recorder.record(result.status, at - started, at)
      spec.measure?.response(result.status, at, at - started)
      if (!isShed(result.status)) return result
      tally.shed++
      // A little jitter so a crowd told "1 s" does not come back in the same millisecond.
      const waitMs = retryAfterMs(result.headers['retry-after']) + Math.random() * 100
      const outOfTries = spec.maxAttempts !== undefined && attempt >= spec.maxAttempts
      if (outOfTries || Date.now() + waitMs > spec.deadlineMs || spec.signal?.aborted) return result
      await sleep(waitMs)
    }
  }

  const user = async (i: number, c: Credentials) => {
    const arrived = performance.now()
    tally.arrived++
    const reg = await timed(() => spec.client.register({ name: `Storm user ${i}`, ...c }))
    if (reg?.ok) tally.registered++
    const login = reg?.ok ? await timed(() => spec.client.login(c)) : undefined
    if (!login?.ok) {
      tally.gaveUp++
      return
    }
    tally.logins++
    tally.in++
    lastInAtMs = performance.now()
    recordMs(timeIn, lastInAtMs - arrived)
    await spec.afterLogin?.(login.data, timed, c.email)
  }

  const flows: Promise<void>[] = []
  const startedAtMs = performance.now()
  for (let i = 0; i < spec.credentials.length && !spec.signal?.aborted; i++) {
    // Arrival i at i/rate seconds (or its staged time): a fixed schedule, however slow the answers are.
    const atS = spec.arrivalsS ? spec.arrivalsS[i] : i / spec.rate
    if (atS === undefined) break
    const due = startedAtMs + atS * 1000 - performance.now()
    if (due > 0) await sleep(due)
    flows.push(user(i, spec.credentials[i]!))
  }
  await Promise.all(flows)
  const endedAtMs = performance.now()
  await spec.measure?.ended()
  return { recorder, tally, timeIn, startedAtMs, lastInAtMs, endedAtMs }
}
