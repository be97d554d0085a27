// One run of the bench: an engine scenario (tools/src/load/scenarios) with the bench's flags mapped to
// the engine's, aimed at the throwaway stack (or, by --orders-url, at a reference server), with the
// harness's readings around its measured load. The engine sets up, loads, drains and audits.
import { ApiClient } from '@flash/api-client'
import { Agent } from 'undici'
import { parseLoadArgs, type ScenarioName as EngineScenario } from '../../load/args.ts'
import type { Measure } from '../../load/engine/cannon.ts'
import { createProgress } from '../../load/engine/progress.ts'
import { SCENARIO_RUNNERS } from '../../load/scenarios/index.ts'
import type { ScenarioOutcome } from '../../load/scenarios/types.ts'
import { type Readings, readingsFor } from '../readings/measured.ts'
import type { Check, LoadStats, ScenarioName } from '../report/types.ts'
import { connections, describe, flagStatuses, type RunContext } from './context.ts'

export interface EngineRun {
  outcome: ScenarioOutcome
  readings: Readings
  load: LoadStats
}

export async function runEngine(
  ctx: RunContext,
  run: ScenarioName,
  spec: {
    scenario: EngineScenario
    /** Engine flags after the stack's and the common ones, which they override (the last one wins). */
    args?: readonly string[]
    /** Statuses the measured load may answer; anything else is a problem (undefined: the run judges). */
    expected?: readonly number[]
    connections?: number
    /** Processes besides the platform's whose CPU is read (a reference server). */
    pids?: Record<string, number | undefined>
    also?: Partial<Measure>
  },
): Promise<EngineRun> {
  const { options, platform } = ctx
  const conns = spec.connections ?? connections(ctx, run)
  const argv = [
    spec.scenario,
    ...platform.loadArgs,
    ...['--duration', String(options.durationS), '--connections', String(conns)],
    ...['--buyers', String(options.buyers), '--warmup', String(options.warmupS)],
    ...['--drain-timeout', String(options.drainTimeoutS), '--timeout', '10', '--quiet'],
    ...(spec.args ?? []),
  ]
  const parsed = parseLoadArgs(argv, platform.loadEnv)
  if (parsed.help) throw new Error('unreachable: no --help given')
  const readings = readingsFor({
    pids: { ...platform.pids(), ...spec.pids },
    connections: conns,
    counterUrls: platform.counterUrls,
    also: spec.also,
  })
  const dispatcher = new Agent({ connections: 32, keepAliveTimeout: 10_000 })
  try {
    const outcome = await SCENARIO_RUNNERS[spec.scenario]({
      options: parsed.options,
      client: new ApiClient({ baseUrl: parsed.options.url, dispatcher, timeoutMs: 30_000 }),
      progress: createProgress(true),
      signal: ctx.signal,
      measure: readings,
    })
    const load = readings.stats(outcome.run)
    if (spec.expected) flagStatuses(ctx, run, load, spec.expected)
    ctx.say(describe(run, load))
    const internal = outcome.audit.internal
    if (internal && !internal.reachable)
      ctx.problem(`${run}: internal stock audit not run: ${internal.detail}`)
    for (const f of internal?.findings.filter((f) => !f.ok) ?? [])
      ctx.problem(`${run} ${f.invariant} (stock-state) FAILED: ${f.detail}`)
    for (const c of outcome.audit.checks.filter((c) => !c.pass))
      ctx.problem(`${run} ${c.id} FAILED: ${c.label} (${c.detail})`)
    return { outcome, readings, load }
  } finally {
    await dispatcher.close()
  }
}

/** The engine's audit as the report's checks: its own, then inventory-service's stock-state findings. */
export function checksOf(outcome: ScenarioOutcome): Check[] {
  const internal = (outcome.audit.internal?.findings ?? []).map((f) => ({
    id: f.invariant === 'I4' ? 'I4' : `${f.invariant}-stock-state`,
    label:
      f.invariant === 'I4'
        ? 'no leak (Redis = MySQL), from inventory-service'
        : `${f.invariant} from inventory-service's stock-state (MySQL)`,
    pass: f.ok,
    detail: f.detail,
  }))
  return [...outcome.audit.checks, ...internal]
}
