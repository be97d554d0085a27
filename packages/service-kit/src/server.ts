import { setTimeout as sleep } from 'node:timers/promises'
import { isTransientDbError } from '@flash/db'
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

/**
 * A boot step failed on a dependency that may answer a moment later: a Redis command that timed out,
 * a connection refused, reset or lost (MySQL's transient errors included). Anything else — a bad
 * config, a port taken, a schema the code was not written for — fails the same way every time.
 */
export function isTransientBootError(error: unknown): boolean {
  if (isTransientDbError(error)) return true
  const e = error as { name?: string; message?: string } | null
  if (e?.name === 'TimedOut') return true
  return /Command timed out|Connection is closed|Reached the max retries per request limit/.test(
    e?.message ?? '',
  )
}

export interface BootOptions {
  /** Tries of `start`, the first included. */
  attempts?: number
  /** Wait before the second try; doubled for each later one. */
  firstDelayMs?: number
}

/**
 * Boot helper for `server.ts`: a config error is printed plainly (no stack) with exit code 1. A start
 * that fails on a dependency slow or away at that second (isTransientBootError) is tried again, a few
 * times with backoff — `start` builds the app afresh, and a failed build closes what it opened. Exiting
 * at once made a busy host's first Redis timeout a crash (and, under ECS, a restart loop).
 */
export async function boot(
  start: () => Promise<void>,
  { attempts = 5, firstDelayMs = 500 }: BootOptions = {},
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await start()
      return
    } catch (error) {
      const e = error as Error
      if (attempt < attempts && isTransientBootError(error)) {
        const delayMs = firstDelayMs * 2 ** (attempt - 1)
        console.error(`boot attempt ${attempt} of ${attempts} failed (${e.message}); again in ${delayMs} ms`)
        await sleep(delayMs)
        continue
      }
      console.error(e.name === 'ConfigError' ? e.message : e)
      process.exit(1)
    }
  }
}
