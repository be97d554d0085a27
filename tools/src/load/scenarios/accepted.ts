// accepted: the intake at full speed — a product with --stock units no run can sell out and no
// per-user limit, so every order is accepted (202) and queued. The warm-up's orders (--warmup) drain
// before the measured load, so the finalizer starts it with an empty queue; after it every order must
// be terminal (bounded by --drain-timeout) and the product's stock must add up.
import { waitForTerminal } from '../audit/drain.ts'
import { internalAudit } from '../audit/internal.ts'
import { judgeSale } from '../audit/judge.ts'
import { totalOf } from '../audit/orders.ts'
import { audit } from '../audit/types.ts'
import { runCannonLive } from '../engine/cannon.ts'
import { cliOrderLoad, twoXx } from './orders-load.ts'
import { saleProduct } from './products.ts'
import { adminAndBuyers } from './set-up.ts'
import type { ScenarioContext, ScenarioOutcome } from './types.ts'
import { warmUp } from './warm-up.ts'

export async function accepted(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const { options, client, progress } = ctx
  const { admin, buyers, stats } = await adminAndBuyers(ctx)
  const product = await saleProduct(admin, 'load accepted', options.stock)
  const tokens = buyers.map((b) => b.accessToken)
  const drain = (acceptedSoFar: number) =>
    waitForTerminal({
      client,
      tokens,
      productIds: [product.id],
      accepted: acceptedSoFar,
      timeoutMs: options.drainTimeoutS * 1000,
      progress,
      signal: ctx.signal,
    })
  const load = cliOrderLoad(ctx, buyers, product.id)
  const warmAccepted = await warmUp(ctx, load)
  const notes: string[] = []
  if (warmAccepted > 0 && !(await drain(warmAccepted)).drained)
    notes.push('the warm-up orders had not drained when the measured load started')
  const run = await runCannonLive(load, progress, options.durationS)
  const acceptedNow = twoXx(run.stats.statuses)
  const done = await drain(warmAccepted + acceptedNow)
  const orders = totalOf(done.counts)
  const page = await client.getProduct(product.id)
  const checks = judgeSale({
    supplied: options.stock,
    accepted: warmAccepted + acceptedNow,
    // The warm-up's stop and the measured load's: each left up to a request per connection unread.
    inFlightAtStop: options.connections * (run.stops + (options.warmupS > 0 ? 1 : 0)),
    orders,
    available: page.ok ? page.data.stock : undefined,
    soldOut: false,
  })
  return {
    run: run.stats,
    metrics: {
      accepted: acceptedNow,
      accepted_per_s: acceptedNow / run.stats.durationS,
      drain_ms: done.drained ? done.ms : null,
      failed: orders.failed,
      pending: orders.pending,
    },
    audit: audit(checks, await internalAudit(options.inventoryUrl, [product.id], options.serviceToken)),
    setup: { product_id: product.id, stock: options.stock, warmup_s: options.warmupS },
    buyers: stats,
    notes,
  }
}
