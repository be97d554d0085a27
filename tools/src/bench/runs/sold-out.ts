// 2. sold-out: POST /api/orders on a product with stock 0 — every answer must be a 409 out_of_stock,
// served without MySQL (and, after the first, without the inventory round trip).
import { soldOutProduct } from '../../load/scenarios/products.ts'
import { runLoad } from '../load.ts'
import type { ScenarioResult } from '../report/types.ts'
import { countersSince, describe, flagStatuses, orderLoad, type ScenarioContext, warmUp } from './context.ts'

export async function soldOut(ctx: ScenarioContext): Promise<ScenarioResult> {
  const product = await soldOutProduct(ctx.platform.admin, 'bench sold-out')
  const spec = { ...(await orderLoad(ctx, 'sold-out')), productId: product.id }
  await warmUp(ctx, 'sold-out', spec, [409])
  const counters = await countersSince(ctx)
  const run = await runLoad(spec)
  flagStatuses(ctx, 'sold-out', run.stats, [409])
  ctx.say(describe('sold-out', run.stats))
  return { name: 'sold-out', load: run.stats, counters: await counters(), notes: [] }
}
