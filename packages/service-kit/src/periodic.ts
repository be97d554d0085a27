import type { FastifyInstance } from 'fastify'

/**
 * Runs `task` every `intervalMs` once the app is ready: the next tick is scheduled only when the last
 * one has finished (ticks never overlap, however slow one is), on an unref'd timer (it never keeps the
 * process alive). A failed tick goes to `onError` and the next one runs as usual. On close it stops
 * and waits for a running tick — in preClose, which runs before any onClose, so that tick still has
 * its clients (MySQL, Redis, the queue).
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
