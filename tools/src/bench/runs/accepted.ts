// 3. accepted: the engine's accepted scenario — stock enough for any run and no per-user limit, every
// order accepted (202); the engine drains the queue and audits. Around it the harness reads what only
// it can: MySQL counts of the run's orders sampled every 250 ms, from which the finalizer's commits/s
// (first → last commit, and the backlog alone after the load), and the CPU while the backlog drained.
import { commitRates } from '../readings/finalizer-rate.ts'
import { cpuSample, cpuUse } from '../readings/host-stats.ts'
import { lastOrderId, sampleCounts, waitForDrain } from '../readings/orders-db.ts'
import type { FinalizerStats, ScenarioResult } from '../report/types.ts'
import type { RunContext } from './context.ts'
import { checksOf, runEngine } from './engine.ts'

export async function accepted(ctx: RunContext): Promise<ScenarioResult> {
  const { platform, options } = ctx
  const sampler = sampleCounts(platform.db, await lastOrderId(platform.db))
  let firstSample = 0
  let terminalAtStart = 0
  let acceptedNow = 0
  let drainCpu: Promise<FinalizerStats['drainCpu']> | undefined
  try {
    const { outcome, readings, load } = await runEngine(ctx, 'accepted', {
      scenario: 'accepted',
      expected: [202],
      also: {
        started: async () => {
          firstSample = sampler.samples.length
          const s = sampler.latest()
          terminalAtStart = s ? s.completed + s.failed : 0
        },
        response: (status) => {
          if (status === 202) acceptedNow++
        },
        ended: async () => {
          // The backlog's CPU: from the end of the load until MySQL counts every order terminal.
          const pids = { 'load generator': process.pid, ...platform.pids() }
          const atEnd = await cpuSample(pids)
          const expected = terminalAtStart + acceptedNow
          drainCpu = waitForDrain(sampler.latest, expected, options.drainTimeoutS * 1000, ctx.signal).then(
            async () => {
              const drained = await cpuSample(pids)
              return atEnd && drained ? cpuUse(atEnd, drained) : undefined
            },
          )
        },
      },
    })
    const cpu = await drainCpu
    await sampler.stop()
    const notes = [...outcome.notes]
    if (sampler.error()) notes.push(`a MySQL count failed while sampling: ${sampler.error()}`)
    // Rates from the sample just before the measured load started.
    const samples = sampler.samples.slice(Math.max(0, firstSample - 1))
    const [first, last] = [samples[0], samples.at(-1)]
    const completed = (last?.completed ?? 0) - (first?.completed ?? 0)
    const failed = (last?.failed ?? 0) - (first?.failed ?? 0)
    const drained = outcome.metrics.drain_ms !== null
    if (!drained)
      ctx.problem(
        `accepted: the queue did not drain within ${options.drainTimeoutS} s (${last?.pending ?? '?'} orders still pending)`,
      )
    const rates = commitRates(samples, readings.endedAtMs ?? 0)
    ctx.say(
      `accepted: finalizer ${completed} completed, ${failed} failed, ` +
        `${Math.round(rates.commitsPerS ?? 0)} commits/s first→last, ${Math.round(rates.drainCommitsPerS ?? 0)}/s backlog only`,
    )
    return {
      name: 'accepted',
      load,
      acceptedPerS: outcome.metrics.accepted_per_s ?? undefined,
      finalizer: { completed, failed, drained, ...rates, drainCpu: cpu },
      checks: checksOf(outcome),
      counters: await readings.counters(),
      notes,
    }
  } finally {
    await sampler.stop()
  }
}
