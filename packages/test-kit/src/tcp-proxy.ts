import { createServer, type Server, type Socket, connect } from 'node:net'

/**
 * A TCP proxy a test controls, in front of any server (Redis, MySQL, an HTTP service), to inject
 * network faults with real sockets instead of mocks: refuse and drop connections (`cut`), stop
 * forwarding while keeping connections open (`stall`), and lose the server's answer to a request
 * that the server did receive and act on (`dropReplies`, `loseNextReply`).
 *
 * Byte-level and protocol-agnostic: a "reply" is whatever the server sends after the client last
 * sent something. Listens on 127.0.0.1 on a free port; point the client at `host:port`.
 */
type Mode = 'forward' | 'cut' | 'stall' | 'drop-replies'

interface Link {
  client: Socket
  server: Socket
  /** Bytes held while stalled, per direction, flushed in order on resume. */
  held: { up: Buffer[]; down: Buffer[] }
  /** The client has sent bytes since `loseNextReply` was armed: its next reply is the one lost. */
  awaitingLostReply: boolean
}

export interface ProxyTarget {
  host: string
  port: number
}

export class TcpProxy {
  readonly host = '127.0.0.1'
  readonly #target: ProxyTarget
  readonly #server: Server
  readonly #links = new Set<Link>()
  #mode: Mode = 'forward'
  #loseNext: (() => void) | undefined
  #port = 0

  private constructor(target: ProxyTarget) {
    this.#target = target
    this.#server = createServer((client) => this.#accept(client))
  }

  /** Starts a proxy to `target` (e.g. `{ host: '127.0.0.1', port: 6379 }`) on a free local port. */
  static async start(target: ProxyTarget): Promise<TcpProxy> {
    const proxy = new TcpProxy(target)
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject)
      proxy.#server.listen(0, proxy.host, () => resolve())
    })
    const address = proxy.#server.address()
    if (!address || typeof address === 'string') throw new Error('proxy has no TCP address')
    proxy.#port = address.port
    return proxy
  }

  get port(): number {
    return this.#port
  }

  /** Connections currently open through the proxy. */
  get connections(): number {
    return this.#links.size
  }

  /** Bytes clients sent that a stall is holding back from the server (a request in flight). */
  get heldRequestBytes(): number {
    let bytes = 0
    for (const link of this.#links) for (const chunk of link.held.up) bytes += chunk.length
    return bytes
  }

  /** `redis://127.0.0.1:<port>`-style URL helper: swaps host and port of `url` for the proxy's. */
  url(url: string): string {
    const parsed = new URL(url)
    parsed.hostname = this.host
    parsed.port = String(this.#port)
    return parsed.toString()
  }

  /** Destroys every open connection and refuses new ones (accepted, then closed at once). */
  cut(): void {
    this.#mode = 'cut'
    for (const link of this.#links) this.#destroy(link)
  }

  /**
   * Stops forwarding in both directions; connections stay open and new ones are accepted, so the
   * client sees a server that stopped answering (a stall longer than any timeout it may have).
   */
  stall(): void {
    this.#mode = 'stall'
  }

  /** Keeps forwarding requests but throws away everything the server answers: every reply is lost. */
  dropReplies(): void {
    this.#mode = 'drop-replies'
  }

  /**
   * Arms a single lost reply: the next request is forwarded, the server's answer to it is thrown
   * away and that connection is closed, as when a connection breaks after a commit. Resolves once
   * the reply has been lost.
   */
  loseNextReply(): Promise<void> {
    for (const link of this.#links) link.awaitingLostReply = false
    return new Promise((resolve) => {
      this.#loseNext = resolve
    })
  }

  /** Back to forwarding; bytes held during a stall are delivered in order. */
  resume(): void {
    this.#mode = 'forward'
    for (const link of this.#links) {
      for (const chunk of link.held.up.splice(0)) link.server.write(chunk)
      for (const chunk of link.held.down.splice(0)) link.client.write(chunk)
    }
  }

  /** Closes the listener and every connection. */
  async close(): Promise<void> {
    this.#loseNext = undefined
    for (const link of this.#links) this.#destroy(link)
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #accept(client: Socket): void {
    if (this.#mode === 'cut') {
      client.destroy()
      return
    }
    const server = connect(this.#target.port, this.#target.host)
    const link: Link = { client, server, held: { up: [], down: [] }, awaitingLostReply: false }
    this.#links.add(link)
    client.setNoDelay(true)
    server.setNoDelay(true)
    client.on('data', (chunk) => this.#up(link, chunk))
    server.on('data', (chunk) => this.#down(link, chunk))
    // Either side ending or failing ends the pair, the way a real broken connection does.
    for (const socket of [client, server]) {
      socket.on('error', () => this.#destroy(link))
      socket.on('close', () => this.#destroy(link))
    }
  }

  #up(link: Link, chunk: Buffer): void {
    if (this.#mode === 'stall') {
      link.held.up.push(chunk)
      return
    }
    if (this.#loseNext) link.awaitingLostReply = true
    link.server.write(chunk)
  }

  #down(link: Link, chunk: Buffer): void {
    if (this.#mode === 'stall') {
      link.held.down.push(chunk)
      return
    }
    if (this.#mode === 'drop-replies') return
    if (link.awaitingLostReply && this.#loseNext) {
      const done = this.#loseNext
      this.#loseNext = undefined
      this.#destroy(link)
      done()
      return
    }
    link.client.write(chunk)
  }

  #destroy(link: Link): void {
    if (!this.#links.delete(link)) return
    link.client.destroy()
    link.server.destroy()
  }
}
