// sold-out: a product with no stock, hammered — the path most flash-sale buyers take. Every answer
// should be a 409 served without MySQL; afterwards no order may exist and the stock is still 0.
import { internalAudit } from '../audit/internal.ts'
import { collectOrders, totalOf } from '../audit/orders.ts'
import { audit } from '../audit/types.ts'
import { runCannonLive } from '../engine/cannon.ts'
import { cliOrderLoad, twoXx } from './orders-load.ts'
import { soldOutProduct } from './products.ts'
import { warmUp } from './warm-up.ts'
import { adminAndBuyers } from './set-up.ts'
import type { ScenarioContext, ScenarioOutcome } from './types.ts'

export async function soldOut(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const { options, client, progress } = ctx
  const { admin, buyers, stats } = await adminAndBuyers(ctx)
  const product = await soldOutProduct(admin, 'load sold-out')
  const load = cliOrderLoad(ctx, buyers, product.id)
  const warmAccepted = await warmUp(ctx, load)
  const run = await runCannonLive(load, progress, options.durationS)
  const accepted = warmAccepted + twoXx(run.stats.statuses)
  const orders = totalOf(
    await collectOrders(
      client,
      buyers.map((b) => b.accessToken),
      [product.id],
    ),
  )
  const page = await client.getProduct(product.id)
  const available = page.ok ? page.data.stock : undefined
  const answers = run.stats.responses
  const conflicts = run.stats.statuses['409'] ?? 0
  const notes =
    conflicts === answers
      ? []
      : [`${answers - conflicts} of ${answers} answers were not 409 (see statuses): overload, not oversell`]
  return {
    run: run.stats,
    metrics: {
      accepted,
      failed: orders.failed,
      pending: orders.pending,
      conflicts_pct: answers ? (100 * conflicts) / answers : null,
    },
    audit: audit(
      [
        {
          id: 'I1',
          label: 'no order accepted for a product with no stock',
          pass: accepted === 0,
          detail: `${accepted} answered 2xx${options.warmupS > 0 ? ' (warm-up included)' : ''}`,
        },
        {
          id: 'I1-orders',
          label: 'no order exists for it',
          pass: orders.total === 0,
          detail: `${orders.total} orders seen by the buyers`,
        },
        {
          id: 'I2',
          label: 'its available stock is still 0',
          pass: available === 0,
          detail: `available ${available ?? 'unknown'}`,
        },
      ],
      await internalAudit(options.inventoryUrl, [product.id], options.serviceToken),
    ),
    setup: { product_id: product.id },
    buyers: stats,
    notes,
  }
}
