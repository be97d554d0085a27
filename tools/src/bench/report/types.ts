// The benchmark report's types: one scenario's numbers, the targets, the whole report.
import type { Check } from '../../load/audit/types.ts'
import type { Distribution, LatencySummary } from '../../load/engine/latency.ts'
import type { Series } from '../../load/engine/recorder.ts'
import type { CpuUse } from '../readings/host-stats.ts'

export const SCENARIOS = [
  'baseline',
  'sold-out',
  'sold-out-rate',
  'accepted',
  'flash-sale',
  'naive',
  'auth-storm',
] as const
export type ScenarioName = (typeof SCENARIOS)[number]

/** One load run's numbers, from the engine's recorder (every answer, any status), for the report. */
export interface LoadStats {
  connections: number
  /** Seconds from the start of the load to its end. */
  durationS: number
  /** Responses received (all statuses). */
  responses: number
  /** Responses per second over the run. */
  rps: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
  /** Responses per HTTP status. */
  statuses: Record<string, number>
  /** Connection errors and timeouts (timeouts included). */
  errors: number
  timeouts: number
  /** Host-wide TcpExtListenOverflows during the run: connection attempts dropped by a full accept queue. */
  listenOverflows?: number | undefined
  /** Average cores used during the run: the host, each process of the system and load generator, others. */
  cpu?: CpuUse | undefined
  /** p99 of the responses after the first second (all connections open): a diagnostic next to the run's. */
  steadyP99Ms?: number | undefined
  /** Slowest response completed in each second of the run (ms). */
  maxMsBySecond?: number[]
  /** Responses per second of the run, by status class. */
  bySecond?: Record<'2xx' | '4xx' | '5xx', number[]>
  /** Every answer of any status through the load tool's HDR recorder: percentiles, spectrum, per second. */
  hdr?: { latency: LatencySummary; distribution: Distribution; series: Series }
}

/** A correctness check: the engine's audit (tools/src/load/audit). */
export type { Check } from '../../load/audit/types.ts'

export interface FinalizerStats {
  /** Orders that reached `completed` during the run. */
  completed: number
  failed: number
  /** Whether every accepted order reached a terminal state before the drain timeout. */
  drained: boolean
  /** Commits/s from the first commit seen to the last (MySQL counts polled every 250 ms). */
  commitsPerS: number | null
  /** Commits/s after the load stopped (the backlog alone, the finalizer not sharing the CPU with intake). */
  drainCommitsPerS: number | null
  /** From the end of the load until nothing was pending. */
  drainMs: number | null
  /** Average cores used while the backlog drained (after the load). */
  drainCpu?: CpuUse | undefined
}

export interface AuthStormStats {
  users: number
  /** Arrivals per second (fixed schedule). */
  rate: number
  usersIn: number
  gaveUp: number
  /** Shed answers (429/503 + Retry-After) the polite clients received. */
  shed: number
  /** From the first arrival until the last user was in (null: nobody got in). */
  allInAfterMs: number | null
  /** How long a user may keep retrying shed answers: the bound on "every user in". */
  boundMs: number
  maxAttempts: number
  /** Successful logins per second, from the first arrival until the last user was in. */
  loginsPerS: number | null
  /** Served register + login answers (2xx, one password hash each) per second over the same span. */
  hashesPerS: number | null
  /** auth-service CPU during the storm (cores): logins/s per core = loginsPerS / this. */
  authCores: number | null
  /** Arrival → logged in, per user who got in (ms). */
  timeInP50Ms: number | null
  timeInP99Ms: number | null
  timeInMaxMs: number | null
  /** auth-service's password hashing parameters in effect (its defaults unless --env set them). */
  passwordParams: string
}

export interface ScenarioResult {
  name: ScenarioName
  load?: LoadStats
  /** 202 answers per second (over the load for `accepted`, over the time to sell out for flash sales). */
  acceptedPerS?: number
  /** Flash sales: from the opening of the sale to the last 2xx (null: did not sell out within the run). */
  sellOutMs?: number | null
  /**
   * flash-sale: from the end of the load (the last request sent) until no order of the product was
   * pending any more (0 when that was already so; null when the drain timed out). MySQL counts are
   * sampled every `terminalSampleMs`, so this is rounded up by at most that much.
   */
  terminalAfterLoadMs?: number | null
  /** flash-sale: the same, from the sell-out (the last unit accepted) instead: the finalizer's lag. */
  terminalAfterSellOutMs?: number | null
  terminalSampleMs?: number
  /** sold-out-rate: the fixed request rate offered (autocannon overallRate), req/s. */
  offeredRate?: number
  /**
   * baseline, when sold-out-rate runs too: the bare handler under sold-out-rate's load (same rate,
   * connections and load generator), i.e. the latency this box and load generator give at that rate
   * with no service code at all.
   */
  atRate?: { rate: number; load: LoadStats }
  authStorm?: AuthStormStats
  finalizer?: FinalizerStats
  checks?: Check[]
  /** Service counters that moved during the measured run (order_intake_total{outcome=…} …). */
  counters?: Record<string, number>
  notes: string[]
  /** The scenario could not complete (setup failed, the stack crashed …). */
  error?: string
}

export type Results = Partial<Record<ScenarioName, ScenarioResult>>

export interface Target {
  scenario: ScenarioName
  label: string
  goal: string
  /** Measured value, as displayed; null when a scenario it depends on did not run. */
  measured: string
  pass: boolean | null
  /** Shown for information, not judged (e.g. the closed-loop p99, bounded by Little's law). */
  info?: boolean
  /** What the number should be read against (the same run's reference numbers). */
  context?: string
}

export interface ServiceProblem {
  label: string
  scenario: string
  line: string
}

export interface Report {
  date: string
  command: string
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string }
  /** The code measured: HEAD and whether the work tree had changes on top of it. */
  git?: { commit: string; dirty: boolean } | undefined
  options: Record<string, unknown>
  results: Results
  targets: Target[]
  /** Warnings/errors the services logged, crashes, unexpected statuses: anything worth a human look. */
  problems: string[]
  serviceLog: ServiceProblem[]
}
