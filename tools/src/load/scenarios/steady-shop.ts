// steady-shop: a shop on an ordinary day — --products products with plenty of stock, a browse /
// product / order / status / me mix at a fixed --rate (or --stages), so latency is read at a chosen load. Then the
// accepted orders drain and every product's stock is audited.
import { waitForTerminal } from '../audit/drain.ts'
import { internalAudit } from '../audit/internal.ts'
import { judgeShop } from '../audit/judge.ts'
import { emptyCounts, totalOf } from '../audit/orders.ts'
import { audit } from '../audit/types.ts'
import { runCannonLive } from '../engine/cannon.ts'
import { mixSequence, shopRequests } from './shop-requests.ts'
import { adminAndBuyers } from './set-up.ts'
import type { ScenarioContext, ScenarioOutcome } from './types.ts'

export async function steadyShop(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const { options, client, progress } = ctx
  const { admin, buyers, stats } = await adminAndBuyers(ctx)
  const stamp = new Date().toISOString()
  const productIds: number[] = []
  for (let i = 0; i < options.products; i++) {
    const p = await admin.createProduct({
      name: `load shop ${i} ${stamp}`,
      price_cents: 500 + i,
      stock: options.stock,
      max_per_user: null,
    })
    productIds.push(p.id)
  }
  progress.say(`products ${productIds[0]}…${productIds.at(-1)}, ${options.stock} units each`)
  const tokens = buyers.map((b) => b.accessToken)
  const run = await runCannonLive(
    {
      url: `${options.url}/api/products`,
      connections: options.connections,
      rate: options.rate,
      stages: options.stages,
      durationS: options.durationS,
      timeoutS: options.timeoutS,
      requestsFor: (k) => {
        const window = Array.from(
          { length: Math.min(20, tokens.length) },
          (_, i) => tokens[(k * 7 + i) % tokens.length]!,
        )
        return shopRequests(mixSequence(options.mix, 20, k), window, productIds)
      },
      signal: ctx.signal,
    },
    progress,
    options.durationS,
  )
  const accepted = run.stats.statuses['202'] ?? 0
  const drain = await waitForTerminal({
    client,
    tokens,
    productIds,
    accepted,
    timeoutMs: options.drainTimeoutS * 1000,
    progress,
    signal: ctx.signal,
  })
  const products = []
  for (const id of productIds) {
    const page = await client.getProduct(id)
    const orders = drain.counts.get(id) ?? emptyCounts()
    products.push({ id, supplied: options.stock, available: page.ok ? page.data.stock : undefined, orders })
  }
  const orders = totalOf(drain.counts)
  return {
    run: run.stats,
    metrics: {
      accepted,
      failed: orders.failed,
      pending: orders.pending,
      drain_ms: drain.drained ? drain.ms : null,
    },
    audit: audit(
      // Every stop of the runner (one per step with --stages) left up to a request per connection unread.
      judgeShop(products, accepted, options.connections * run.stops),
      await internalAudit(options.inventoryUrl, productIds, options.serviceToken),
    ),
    setup: { product_ids: productIds, stock_per_product: options.stock, mix: options.mix },
    buyers: stats,
    notes: [],
  }
}
