import type { Redis } from 'ioredis'

export interface SubscriptionOptions {
  /** The command connection; the subscription runs on a duplicate of it (same URL and options). */
  redis: Redis
  /** The full channel name: ioredis' keyPrefix does not apply to pub/sub, so callers add it. */
  channel: string
  onMessage: (message: string) => void
  /**
   * `true` once SUBSCRIBE is confirmed on a (re)connected link, `false` as soon as the link closes:
   * whatever was published in between never arrived, and callers that cache what messages tell them
   * must stop trusting the cache (and re-read its source) until the next `true`.
   */
  onLive?: (live: boolean) => void
  /** Connection errors and failed (re)subscribes; the subscription keeps trying by itself. */
  onError: (error: Error, context: string) => void
}

/** After a failed SUBSCRIBE on a link that stayed up (a command timeout on a busy host), try again. */
const RESUBSCRIBE_DELAY_MS = 500

/**
 * One Redis pub/sub channel that follows the link through reconnects.
 *
 * ioredis can resubscribe by itself after a reconnect (`autoResubscribe`), but it sends that SUBSCRIBE
 * without handling its promise: when the link drops or is closed before the reply (Redis flapping in a
 * failover, or a shutdown right after a reconnect), the rejection is unhandled, and an unhandled
 * rejection ends a Node process. It also reports "ready" before the SUBSCRIBE is confirmed. So the
 * resubscribe is done here: failures go to `onError`, and `onLive(true)` waits for the confirmation.
 */
export class Subscription {
  readonly #subscriber: Redis
  readonly #options: SubscriptionOptions
  #started = false
  #closed = false
  #live = false

  constructor(options: SubscriptionOptions) {
    this.#options = options
    this.#subscriber = options.redis.duplicate({ autoResubscribe: false })
    this.#subscriber.on('error', (error: Error) => options.onError(error, 'subscriber connection'))
    this.#subscriber.on('message', (_channel: string, message: string) => options.onMessage(message))
    this.#subscriber.on('close', () => this.#setLive(false))
    // The first link is subscribed by start(); every later one here.
    this.#subscriber.on('ready', () => {
      if (this.#started) this.#subscribe()
    })
  }

  /** SUBSCRIBE was confirmed on the current link and it has not closed since. */
  get live(): boolean {
    return this.#live
  }

  /** Connects and subscribes; throws when Redis cannot be reached (the caller's boot fails). */
  async start(): Promise<void> {
    await this.#subscriber.subscribe(this.#options.channel)
    this.#started = true
    this.#setLive(true)
  }

  close(): void {
    this.#closed = true
    this.#subscriber.disconnect()
  }

  #subscribe(): void {
    this.#subscriber.subscribe(this.#options.channel).then(
      () => this.#setLive(true),
      (error: Error) => {
        if (this.#closed) return
        this.#options.onError(error, 'resubscribe after reconnect (will retry)')
        // A link that closed gets a new 'ready' (and a new SUBSCRIBE) when it reconnects.
        if (this.#subscriber.status === 'ready')
          setTimeout(() => {
            if (!this.#closed && !this.#live && this.#subscriber.status === 'ready') this.#subscribe()
          }, RESUBSCRIBE_DELAY_MS).unref()
      },
    )
  }

  #setLive(live: boolean): void {
    if (this.#live === live || (live && this.#closed)) return
    this.#live = live
    this.#options.onLive?.(live)
  }
}
