import type { AddressInfo } from 'node:net'
import { buildApp } from 'fauxqs'

export interface SqsEmulatorOptions {
  /** 0 picks a free port (tests). */
  port: number
  /** Loopback by default; containers pass 0.0.0.0 so other containers can reach it. */
  host?: string
}

export interface SqsEmulator {
  /** What SQS clients pass as `endpoint`. */
  endpoint: string
  port: number
  stop(): Promise<void>
}

/**
 * fauxqs in this process. Its `startFauxqs` always binds 0.0.0.0, which would expose the emulator to
 * the network, so we build its app and listen ourselves. Request logging is off: the emulator logs
 * every call otherwise (tens of MB per benchmark).
 */
export async function startSqsEmulator({
  port,
  host = '127.0.0.1',
}: SqsEmulatorOptions): Promise<SqsEmulator> {
  const app = buildApp({ logger: false })
  await app.listen({ port, host })
  const bound = (app.server.address() as AddressInfo).port
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  const urlHost = reachable.includes(':') ? `[${reachable}]` : reachable
  let stopping: Promise<void> | undefined
  return {
    endpoint: `http://${urlHost}:${bound}`,
    port: bound,
    stop: () => {
      stopping ??= app.close()
      return stopping
    },
  }
}
