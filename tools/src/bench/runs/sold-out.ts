// 2. sold-out: the engine's sold-out scenario — POST /api/orders on a product with stock 0, every answer
// must be a 409 served without MySQL (and, after the first, without the inventory round trip).
import type { ScenarioResult } from '../report/types.ts'
import type { RunContext } from './context.ts'
import { runEngine } from './engine.ts'

export async function soldOut(ctx: RunContext): Promise<ScenarioResult> {
  const { load, readings } = await runEngine(ctx, 'sold-out', { scenario: 'sold-out', expected: [409] })
  return { name: 'sold-out', load, counters: await readings.counters(), notes: [] }
}
