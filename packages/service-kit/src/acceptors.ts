import type { Server } from 'node:http'
import net from 'node:net'
import type { FastifyInstance } from 'fastify'

/** Node's default accept queue (511) overflows when a flash sale opens a thousand connections at once. */
export const LISTEN_BACKLOG = 4096

/**
 * Extra listening sockets on the service's port (SO_REUSEPORT), each handing its connections to the
 * same HTTP server.
 *
 * Why: libuv (since 1.45, so Node ≥ 20) accepts one connection per event-loop turn and listening
 * socket. A turn of a saturated service serves every connection that has a request waiting (a
 * thousand of them at ~150 µs is ~150 ms), so with one socket the accept queue drains at a few
 * connections per second and a new client waits seconds for its first answer: `npm run bench`
 * measured 98–385 client timeouts per sold-out run with the listen queue stuck at 150–500. The kernel
 * spreads new connections over the sockets of a SO_REUSEPORT group and each accepts one per turn, so
 * N sockets accept N times faster: with 64 the same run had no timeout and no answer slower than
 * 0.9 s (docs/benchmarks.md).
 */
export class Acceptors {
  readonly #servers: net.Server[] = []
  #accepted = 0

  /** Connections the extra sockets accepted and handed over so far. */
  get accepted(): number {
    return this.#accepted
  }

  /** Opens `count` sockets on host:port for `target`; the first failure closes those opened and throws. */
  static async open(target: Server, host: string, port: number, count: number): Promise<Acceptors> {
    const acceptors = new Acceptors()
    try {
      const handOver = (socket: net.Socket) => {
        acceptors.#accepted++
        // The HTTP server parses the socket exactly as if it had accepted it itself (the documented
        // use of its 'connection' event).
        target.emit('connection', socket)
      }
      for (let i = 0; i < count; i++) acceptors.#servers.push(await listenAcceptor(handOver, host, port))
    } catch (error) {
      acceptors.close()
      throw error
    }
    return acceptors
  }

  /**
   * Stops accepting on every extra socket at once. Not awaited: net.Server's close callback waits
   * for the connections it accepted, and those now belong to the HTTP server, which closes them only
   * after this (in preClose) returns.
   */
  close(): void {
    for (const server of this.#servers.splice(0)) server.close()
  }
}

function listenAcceptor(
  onConnection: (socket: net.Socket) => void,
  host: string,
  port: number,
): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer(onConnection)
    server.once('error', reject)
    server.listen({ host, port, backlog: LISTEN_BACKLOG, reusePort: true }, () => {
      server.off('error', reject)
      resolve(server)
    })
  })
}

/**
 * SO_REUSEPORT would let a second process of the same user bind a port that is already taken and
 * silently share its traffic. So the port is first bound the ordinary, exclusive way: EADDRINUSE
 * here is the error a plain listen would have given. Returns the port (the kernel's choice for 0).
 */
export function claimPort(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen({ host, port, exclusive: true }, () => {
      const bound = (probe.address() as net.AddressInfo).port
      probe.close(() => resolve(bound))
    })
  })
}

/** SO_REUSEPORT groups that balance connections between sockets: Linux (3.9+). Elsewhere one socket. */
export const REUSE_PORT_BALANCES = process.platform === 'linux'

/**
 * `app.listen` on host:port with `sockets` listening sockets (one where SO_REUSEPORT does not balance).
 * The extra ones close in preClose, before the main one, so none keeps accepting into a closing app.
 * Call it before the app is ready (it adds that hook). Returns the port (the kernel's choice for 0)
 * and the extra sockets, if any.
 */
export async function listenOnSockets(
  app: FastifyInstance,
  { host, port, sockets }: { host: string; port: number; sockets: number },
): Promise<{ port: number; extra: Acceptors | undefined }> {
  const count = REUSE_PORT_BALANCES ? sockets : 1
  if (count <= 1) {
    await app.listen({ host, port, backlog: LISTEN_BACKLOG })
    return { port: (app.server.address() as net.AddressInfo).port, extra: undefined }
  }
  let extra: Acceptors | undefined
  app.addHook('preClose', async () => extra?.close())
  const claimed = await claimPort(host, port)
  // Fastify passes reusePort through to net.Server#listen (its types just do not list it).
  const options = { host, port: claimed, backlog: LISTEN_BACKLOG, reusePort: true }
  await app.listen(options)
  extra = await Acceptors.open(app.server, host, claimed, count - 1)
  return { port: claimed, extra }
}
