import { createServer } from 'node:net'
import { SERVICES, type ServiceName } from '@flash/routes'
import { defaultPort, instanceLabel } from './plan.ts'

function probe(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(port, host, () => {
      const address = server.address()
      const bound = typeof address === 'object' && address ? address.port : port
      server.close(() => resolve(bound))
    })
  })
}

/**
 * Below Linux's ephemeral range (32768–60999 by default). A port the OS hands out for `listen(0)` comes
 * from that range, and so does the local port of every outgoing connection: in a busy test run a
 * client connecting to MySQL or Redis could take the port between our probe and the child's bind
 * (seen as a child dying of EADDRINUSE at boot). Ports picked here are never given to a connection.
 */
const PICK_FROM = 20_000
const PICK_TO = 32_767
const PICK_TRIES = 50

/**
 * A port that is free right now, picked at random below the ephemeral range. Another process could
 * still take it before our child binds it; that window is small, and the child then fails loudly.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < PICK_TRIES; i++) {
    const port = PICK_FROM + Math.floor(Math.random() * (PICK_TO - PICK_FROM + 1))
    try {
      return await probe(port, host)
    } catch {
      // Taken: try another.
    }
  }
  return probe(0, host)
}

/**
 * Refuses a port something already listens on. Without this, a stack left running from before would
 * answer our readiness checks while the new child dies of EADDRINUSE.
 */
export async function assertPortFree(port: number, host: string, what: string): Promise<void> {
  try {
    await probe(port, host)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new Error(`port ${port} for ${what} is not free (${code}): is another stack still running?`)
  }
}

export interface PortRequest {
  /** What the port is for, in error messages. */
  what: string
  /** Given by the caller; 0 = any free port. */
  explicit: number | undefined
  fallback: number
}

/** Resolves each request: explicit, else the fallback (or any free port when `free`), checked free. */
export async function resolvePorts(requests: readonly PortRequest[], host: string, free: boolean) {
  const ports: number[] = []
  for (const { what, explicit, fallback } of requests) {
    const port = explicit ?? (free ? 0 : fallback)
    if (port === 0) {
      ports.push(await freePort(host))
    } else {
      await assertPortFree(port, host, what)
      ports.push(port)
    }
  }
  return ports
}

export interface PortPlan {
  ports: Record<ServiceName, number[]>
  gatewayPort: number | undefined
}

/** Every instance's port (and the gateway's), as given, by default, or from the OS; all checked free. */
export async function planPorts(opts: {
  counts: Record<ServiceName, number>
  ports: { gateway?: number; services?: Partial<Record<ServiceName, readonly number[]>> } | undefined
  host: string
  free: boolean
  gateway: boolean
}): Promise<PortPlan> {
  const wanted = SERVICES.flatMap((service) =>
    Array.from({ length: opts.counts[service] }, (_, i) => ({
      service,
      what: instanceLabel(service, i, opts.counts[service]),
      explicit: opts.ports?.services?.[service]?.[i],
      fallback: defaultPort(service, i),
    })),
  )
  const resolved = await resolvePorts(wanted, opts.host, opts.free)
  const ports = Object.fromEntries(SERVICES.map((s) => [s, [] as number[]])) as Record<ServiceName, number[]>
  for (const [i, w] of wanted.entries()) ports[w.service].push(resolved[i]!)
  const gateway = { what: 'the gateway', explicit: opts.ports?.gateway, fallback: 8080 }
  const [gatewayPort] = opts.gateway ? await resolvePorts([gateway], opts.host, opts.free) : []
  return { ports, gatewayPort }
}
