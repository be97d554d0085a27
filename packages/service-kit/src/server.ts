import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { listenOnSockets } from './acceptors.ts'

export interface ListenOptions {
  host: string
  port: number
  graceMs: number
  /** Listening sockets on the port (HTTP_ACCEPTORS): more accept a connection storm faster. Default 1. */
  acceptors?: number
}

/** The listen options from a service's validated serverEnv config: one line in every server.ts. */
export function listenOptions(config: {
  HOST: string
  PORT: number
  SHUTDOWN_GRACE_MS: number
  HTTP_ACCEPTORS: number
}): ListenOptions {
  return {
    host: config.HOST,
    port: config.PORT,
    graceMs: config.SHUTDOWN_GRACE_MS,
    acceptors: config.HTTP_ACCEPTORS,
  }
}

/**
 * Listens, and on SIGINT/SIGTERM (or a crash) closes the app — which drains in-flight requests and
 * runs every plugin's onClose — within `graceMs`, then exits.
 */
export async function listenWithGrace(
  app: FastifyInstance,
  { host, port, graceMs, acceptors = 1 }: ListenOptions,
): Promise<void> {
  closeWithGrace({ delay: graceMs }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
  })
  // See acceptors.ts: with one socket a saturated instance accepts a few connections per second.
  await listenOnSockets(app, { host, port, sockets: acceptors })
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
