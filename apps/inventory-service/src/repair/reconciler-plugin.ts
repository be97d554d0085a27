import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { runPeriodically } from '@flash/service-kit'
import { type ReconcileCounts, reconcileProducts } from './reconciler.ts'
import { listProductSupply } from '../repositories/products.ts'

declare module 'fastify' {
  interface FastifyInstance {
    reconciler: { runOnce(nowMs?: number): Promise<ReconcileCounts> }
  }
}

export interface ReconcilerOptions {
  /** One full pass over every product per interval; 0: never on a timer (tests call runOnce). */
  intervalMs: number
}

// Products per round of the pass: one pipelined probe, one MySQL snapshot, the repairs.
const BATCH = 500

/**
 * Runs the reconciler (see reconciler.ts) over every product every RECONCILE_INTERVAL_MS (the kit's
 * runPeriodically: ticks never overlap, close waits for the running one).
 * No lock: each repair is a compare-and-set on the probed state version, so every instance may run it.
 */
export const reconcilerPlugin = fp<ReconcilerOptions>(
  async (app: FastifyInstance, { intervalMs }) => {
    const { repairs, repairedUnits } = app.inventoryMetrics
    const deps = {
      db: app.db,
      stock: app.stock,
      log: app.log,
      onRepair: (_productId: number, delta: number) => {
        const direction = delta > 0 ? 'up' : 'down'
        repairs.inc({ direction })
        repairedUnits.inc({ direction }, Math.abs(delta))
      },
    }

    const runOnce = async (nowMs = Date.now()): Promise<ReconcileCounts> => {
      const total: ReconcileCounts = { checked: 0, repaired: 0, skipped: 0 }
      // Bounded: ids strictly increase, and a short page ends the pass.
      for (let afterId = 0; ; ) {
        const page = await listProductSupply(app.db, afterId, BATCH)
        const counts = await reconcileProducts(
          deps,
          page.map((p) => p.id),
          nowMs,
        )
        total.checked += counts.checked
        total.repaired += counts.repaired
        total.skipped += counts.skipped
        if (page.length < BATCH) return total
        afterId = page.at(-1)!.id
      }
    }

    app.decorate('reconciler', { runOnce })
    if (intervalMs > 0) {
      runPeriodically(app, intervalMs, runOnce, (error) =>
        app.log.warn({ err: error }, 'reconcile pass failed; retrying next tick'),
      )
    }
  },
  { name: 'inventory-reconciler', dependencies: ['inventory-stock', 'inventory-metrics'] },
)
