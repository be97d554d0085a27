// 3. accepted: a product with stock enough for any run and no per-user limit, so every order is
// accepted (202). Then, bounded, the queue drains; the finalizer's commits/s come from MySQL counts
// sampled every 250 ms from before the load to the last commit.
import { saleProduct } from '../../load/scenarios/products.ts'
import { commitRates } from '../readings/finalizer-rate.ts'
import { cpuSample, cpuUse } from '../readings/host-stats.ts'
import { runLoad } from '../load.ts'
import { sampleCounts, waitForDrain } from '../readings/orders-db.ts'
import type { ScenarioResult } from '../report/types.ts'
import {
  countersSince,
  describe,
  flagStatuses,
  orderLoad,
  type ScenarioContext,
  twoXx,
  warmUp,
} from './context.ts'

export const HUGE_STOCK = 10_000_000

export async function accepted(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { platform, options } = ctx
  const notes: string[] = []
  const product = await saleProduct(platform.admin, 'bench accepted', HUGE_STOCK)
  const spec = { ...(await orderLoad(ctx, 'accepted')), productId: product.id }
  const sampler = sampleCounts(platform.db, product.id)
  try {
    const warm = await warmUp(ctx, 'accepted', spec, [202])
    const warmAccepted = warm ? twoXx(warm.stats) : 0
    if (warm) {
      // The measured run starts with an empty queue, so the finalizer's numbers are its own.
      const drained = await waitForDrain(
        sampler.latest,
        warmAccepted,
        options.drainTimeoutS * 1000,
        ctx.signal,
      )
      if (!drained) notes.push('the warm-up orders had not drained when the measured run started')
    }
    const firstSample = sampler.samples.length
    const counters = await countersSince(ctx)
    const run = await runLoad(spec)
    const cpuAtEnd = await cpuSample(spec.pids)
    flagStatuses(ctx, 'accepted', run.stats, [202])
    const acceptedCount = twoXx(run.stats)
    ctx.say(describe('accepted', run.stats))
    ctx.say(
      `accepted: waiting (at most ${options.drainTimeoutS} s) for the finalizer to drain ${acceptedCount} orders`,
    )
    const drained = await waitForDrain(
      sampler.latest,
      warmAccepted + acceptedCount,
      options.drainTimeoutS * 1000,
      ctx.signal,
    )
    const cpuDrained = await cpuSample(spec.pids)
    await sampler.stop()
    if (sampler.error()) notes.push(`a MySQL count failed while sampling: ${sampler.error()}`)
    // Rates from the sample just before the measured run started.
    const samples = sampler.samples.slice(Math.max(0, firstSample - 1))
    const rates = commitRates(samples, run.endedAtMs)
    const first = samples[0]
    const last = sampler.samples.at(-1)
    const completed = (last?.completed ?? 0) - (first?.completed ?? 0)
    const failed = (last?.failed ?? 0) - (first?.failed ?? 0)
    if (!drained) {
      ctx.problem(
        `accepted: the queue did not drain within ${options.drainTimeoutS} s (${last?.pending ?? '?'} orders still pending)`,
      )
    }
    if (failed > 0) ctx.problem(`accepted: ${failed} orders ended failed although stock was plentiful`)
    ctx.say(
      `accepted: finalizer ${completed} completed, ${failed} failed, ` +
        `${Math.round(rates.commitsPerS ?? 0)} commits/s first→last, ${Math.round(rates.drainCommitsPerS ?? 0)}/s backlog only`,
    )
    return {
      name: 'accepted',
      load: run.stats,
      acceptedPerS: acceptedCount / run.stats.durationS,
      finalizer: {
        completed,
        failed,
        drained,
        ...rates,
        drainCpu: cpuAtEnd && cpuDrained ? cpuUse(cpuAtEnd, cpuDrained) : undefined,
      },
      counters: await counters(),
      notes,
    }
  } finally {
    await sampler.stop()
  }
}
