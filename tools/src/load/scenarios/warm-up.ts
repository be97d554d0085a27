// --warmup S: a discarded stretch of a scenario's load before the measured one, so JIT, connection
// pools and caches are warm when the measurement starts. Nothing of it is recorded or measured; the
// 2xx answers are counted so the caller can wait for the orders it placed.
import { type CannonSpec, runCannon } from '../engine/cannon.ts'
import { twoXx } from './orders-load.ts'
import type { ScenarioContext } from './types.ts'

export async function warmUp(ctx: ScenarioContext, spec: CannonSpec): Promise<number> {
  const seconds = ctx.options.warmupS
  if (seconds <= 0) return 0
  ctx.progress.say(`warm-up: ${seconds} s of load, not measured`)
  const { measure: _m, onStart: _s, onResponse: _r, stages: _st, ...load } = spec
  const run = await runCannon({ ...load, durationS: seconds })
  return twoXx(run.stats.statuses)
}
