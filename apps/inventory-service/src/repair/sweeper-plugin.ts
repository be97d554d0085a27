import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { FenceGrace } from './fence-grace.ts'
import { runPeriodically } from '@flash/service-kit'
import { repairPass, type SweepDeps, sweepExpired } from './sweeper.ts'

declare module 'fastify' {
  interface FastifyInstance {
    sweeper: { runOnce(nowMs?: number): Promise<'done' | 'locked'> }
  }
}

export interface SweeperOptions {
  intervalMs: number
  reservationTtlMs: number
  /** See FENCE_GRACE_MS in src/config.ts. */
  fenceGraceMs: number
  /** Tests drive the sweeper with `runOnce` only. */
  autoStart: boolean
}

const LOCK_KEY = 'inv:sweeper:lock'
// Deletes the lock only if it is still ours (it may have expired and been taken by another instance).
const UNLOCK = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"

/**
 * Runs the sweeper every SWEEP_INTERVAL_MS (the kit's runPeriodically: ticks never overlap, close
 * waits for the running one).
 * Instances take turns through a Redis lock (SET NX PX): only one sweeps at a time. The lock merely
 * saves work — sweeping is idempotent — so it expires on its own if its holder dies.
 */
export const sweeperPlugin = fp<SweeperOptions>(
  async (app: FastifyInstance, { intervalMs, reservationTtlMs, fenceGraceMs, autoStart }) => {
    const { sweeps, swept } = app.inventoryMetrics
    const deps: SweepDeps = {
      db: app.db,
      stock: app.stock,
      reservationTtlMs,
      fenceGrace: new FenceGrace(fenceGraceMs, app.redis),
      onSwept: (action, count) => swept.inc({ action }, count),
    }
    const lockMs = Math.max(2 * intervalMs, 5_000)
    const token = randomUUID()
    let repairCursor = 0

    // Expiries are on Redis's clock (reserve.lua), so the pass compares with it too.
    const runOnce = async (at?: number): Promise<'done' | 'locked'> => {
      if ((await app.redis.set(LOCK_KEY, token, 'PX', lockMs, 'NX')) !== 'OK') {
        sweeps.inc({ result: 'locked' })
        return 'locked'
      }
      try {
        const nowMs = at ?? (await app.stock.serverTimeMs())
        const counts = await sweepExpired(deps, nowMs)
        repairCursor = await repairPass(deps, repairCursor, nowMs)
        if (counts.released || counts.extended || counts.committed)
          app.log.info({ swept: counts }, 'swept reservations')
        sweeps.inc({ result: 'done' })
        return 'done'
      } finally {
        await app.redis.eval(UNLOCK, 1, LOCK_KEY, token).catch(() => {})
      }
    }

    app.decorate('sweeper', { runOnce })
    if (autoStart) {
      runPeriodically(app, intervalMs, runOnce, (error) => {
        sweeps.inc({ result: 'error' })
        app.log.warn({ err: error }, 'sweep failed; retrying next tick')
      })
    }
  },
  { name: 'inventory-sweeper', dependencies: ['inventory-stock', 'inventory-metrics'] },
)
