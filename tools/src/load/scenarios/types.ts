// What every scenario gets and gives back.
import type { ApiClient } from '@flash/api-client'
import type { LoadOptions } from '../args.ts'
import type { LifecycleSeries } from '../audit/lifecycle.ts'
import type { Audit } from '../audit/types.ts'
import type { BuyerStats } from '../engine/buyers.ts'
import type { Measure } from '../engine/cannon.ts'
import type { Progress } from '../engine/progress.ts'
import type { RunStats } from '../engine/recorder.ts'

export interface ScenarioContext {
  options: LoadOptions
  /** Typed client of the public API at --url (keep-alive pool shared by every set-up call). */
  client: ApiClient
  progress: Progress
  signal: AbortSignal
  /** A harness's readings around the measured load (`npm run bench`); none from the command line. */
  measure?: Measure | undefined
}

export interface ScenarioOutcome {
  run: RunStats
  /** The scenario's own numbers (accepted, sellout_ms, users_in …), also usable in --expect. */
  metrics: Record<string, number | null>
  audit: Audit
  /** What was set up: product ids, buyers, the opening … (the report's parameters). */
  setup: Record<string, unknown>
  buyers?: BuyerStats | undefined
  /** flash-sale --pay: paid / expired / cancelled orders over time. */
  lifecycle?: LifecycleSeries | undefined
  notes: string[]
}

export type Scenario = (ctx: ScenarioContext) => Promise<ScenarioOutcome>
