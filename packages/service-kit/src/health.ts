import { Health, Ready } from '@flash/contracts'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { type ReadinessCheck, readinessOf } from './readiness.ts'
import { NOT_SHED } from './shedding.ts'
import { withTimeout } from './with-timeout.ts'

export interface HealthOptions {
  /**
   * Checks of the app's own state (e.g. its workers are running), asked after those the client
   * plugins registered in `app.readiness`. `/ready` is 200 only when all succeed within the timeout.
   */
  checks?: Record<string, ReadinessCheck>
  timeoutMs?: number
}

async function within(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  try {
    await withTimeout(check(), timeoutMs, 'readiness check timed out')
    return true
  } catch {
    return false
  }
}

/**
 * `/health`: the process is alive (ALB/container check), answered even while shedding load.
 * `/ready`: its dependencies answer (shed under pressure, like any other request).
 */
export const healthPlugin = fp<HealthOptions>(
  async (app: FastifyInstance, { checks = {}, timeoutMs = 1000 }) => {
    const readiness = readinessOf(app)
    app.get('/health', { schema: { hide: true, response: { 200: Health } }, config: NOT_SHED }, async () => ({
      status: 'ok' as const,
    }))
    app.get(
      '/ready',
      { schema: { hide: true, response: { 200: Ready, 503: Ready } } },
      async (_req, reply) => {
        // Read per request: a plugin registered after this one still has its check asked.
        const all = [...readiness.entries(), ...Object.entries(checks)]
        const results = await Promise.all(all.map(([, check]) => within(check, timeoutMs)))
        const report: Ready = { status: 'ready', checks: {} }
        all.forEach(([name], i) => {
          report.checks[name] = results[i] ? 'up' : 'down'
        })
        if (results.every(Boolean)) return report
        report.status = 'unavailable'
        return reply.code(503).header('retry-after', '5').send(report)
      },
    )
  },
  { name: 'flash-health' },
)
