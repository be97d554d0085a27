import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'

export interface ListenOptions {
  host: string
  port: number
  graceMs: number
}

/**
 * Listens, and on SIGINT/SIGTERM (or a crash) closes the app — which drains in-flight requests and
 * runs every plugin's onClose — within `graceMs`, then exits.
 */
export async function listenWithGrace(
  app: FastifyInstance,
  { host, port, graceMs }: ListenOptions,
): Promise<void> {
  closeWithGrace({ delay: graceMs }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
  })
  // A flash sale opens a thousand connections at once; Node's default accept queue (511) overflows and
  // the kernel drops SYNs, which clients see as multi-second TCP retries (measured by npm run bench).
  await app.listen({ host, port, backlog: 4096 })
}

/** Boot helper for `server.ts`: a config error is printed plainly (no stack) with exit code 1. */
export async function boot(start: () => Promise<void>): Promise<void> {
  try {
    await start()
  } catch (error) {
    const e = error as Error
    console.error(e.name === 'ConfigError' ? e.message : e)
    process.exit(1)
  }
}
