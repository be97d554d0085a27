import { runPeriodically } from '@flash/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { listOpeningSoon } from '../repositories/products.ts'

declare module 'fastify' {
  interface FastifyInstance {
    prewarm: { runOnce(): Promise<number> }
  }
}

export interface PrewarmOptions {
  /** SALE_PREWARM_SECONDS: how long before its opening a product's stock is made warm; 0: never. */
  aheadSeconds: number
  /** How often the pass runs; 0: never on a timer (tests call runOnce). */
  intervalMs: number
}

// The most products one pass warms: openings are rare; a backlog is taken on the next passes.
const BATCH = 100

/**
 * Makes the stock of every product whose sale opens soon warm in Redis before its opening second, so
 * the first wave of buyers meets a ready state instead of a cold product whose first reserve reads
 * MySQL (and, right after a Redis loss, waits out WARM_SETTLE_MS). Every instance may run it: a warm
 * product costs one GET, and a warm-up is a check-and-set that only the first writer wins. It repeats
 * until the opening, so a state lost in the meantime is warm again one interval later.
 */
export const prewarmPlugin = fp<PrewarmOptions>(
  async (app: FastifyInstance, { aheadSeconds, intervalMs }) => {
    const runOnce = async (): Promise<number> => {
      if (aheadSeconds <= 0) return 0
      const ids = await listOpeningSoon(app.db, aheadSeconds, BATCH)
      // Cold ones are rebuilt from MySQL (single-flight per product); warm ones cost one GET. Each on
      // its own: one product still in its settle window after a Redis loss must not hold back the rest.
      const results = await Promise.allSettled(ids.map((id) => app.warmer.available([id])))
      const failed = results.filter((r) => r.status === 'rejected')
      if (failed.length > 0) {
        app.log.warn(
          { err: failed[0]!.reason, products: failed.length },
          'sale pre-warm: products not warmed yet; retrying next pass',
        )
      }
      return ids.length
    }
    app.decorate('prewarm', { runOnce })
    if (aheadSeconds > 0 && intervalMs > 0) {
      runPeriodically(app, intervalMs, runOnce, (error) =>
        app.log.warn({ err: error }, 'sale pre-warm pass failed; retrying next tick'),
      )
    }
  },
  { name: 'inventory-prewarm', dependencies: ['inventory-stock'] },
)
