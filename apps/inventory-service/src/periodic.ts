import type { FastifyInstance } from 'fastify'

/**
 * Runs `task` every `intervalMs` once the app is ready, on an unref'd timer (never keeps the process
 * alive) chained with setTimeout, so ticks never overlap; on close it stops after the running tick —
 * preClose runs before any onClose, so that tick still has Redis and MySQL.
 */
export function runPeriodically(
  app: FastifyInstance,
  intervalMs: number,
  task: () => Promise<unknown>,
  onError: (error: unknown) => void,
): void {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> | undefined
  let stopped = false
  const schedule = () => {
    if (stopped) return
    timer = setTimeout(() => {
      running = task().catch(onError).finally(schedule)
    }, intervalMs)
    timer.unref()
  }
  app.addHook('onReady', async () => schedule())
  app.addHook('preClose', async () => {
    stopped = true
    clearTimeout(timer)
    await running
  })
}
