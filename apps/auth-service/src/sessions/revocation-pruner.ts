import { pruneRevocations, runPeriodically } from '@flash/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export interface RevocationPrunerOptions {
  intervalMs: number
}

/**
 * Deletes revocations whose tokens have all expired, so the table every service reloads stays as
 * small as the set of live revocations. auth-service writes the table, so it alone cleans it; every
 * instance may run this at once (a plain bounded DELETE; losing a race deletes nothing twice).
 */
export const revocationPrunerPlugin = fp<RevocationPrunerOptions>(
  async (app: FastifyInstance, { intervalMs }) => {
    runPeriodically(
      app,
      intervalMs,
      () => pruneRevocations(app.db, Math.floor(Date.now() / 1000)),
      (error) => app.log.warn({ err: error }, 'revocation prune failed; retried next interval'),
    )
  },
  { name: 'auth-revocation-pruner', dependencies: ['flash-db'] },
)
