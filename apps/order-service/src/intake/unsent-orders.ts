import type { OrderMessage } from '@flash/contracts'
import type { FastifyBaseLogger } from 'fastify'

export interface UnsentOrdersOptions {
  send: (message: OrderMessage, requestId: string) => Promise<unknown>
  log: FastifyBaseLogger
  /** Messages kept for re-sending at once; beyond it the stale-pending sweep alone sends them. */
  maxKept?: number
  /** First retry after this, doubling up to `maxDelayMs`; given up after `maxAttempts`. */
  firstDelayMs?: number
  maxDelayMs?: number
  maxAttempts?: number
  onResent?: () => void
}

/**
 * Orders accepted (their pending row written) whose SQS send failed. The row is the durable outbox —
 * the finalizer's stale-pending sweep sends it within STALE_PENDING_SECONDS whatever happens here —
 * but an outage of a few seconds should not delay every order accepted during it by that long: this
 * instance retries them itself with backoff, so they flow as soon as SQS answers again. In memory on
 * purpose: a crash loses only the fast path, never an order. A duplicate send is harmless (the
 * finalizer is exactly-once).
 */
export class UnsentOrders {
  readonly #options: Required<Omit<UnsentOrdersOptions, 'onResent'>> & Pick<UnsentOrdersOptions, 'onResent'>
  readonly #timers = new Set<NodeJS.Timeout>()
  #closed = false

  constructor(options: UnsentOrdersOptions) {
    this.#options = { maxKept: 10_000, firstDelayMs: 500, maxDelayMs: 8_000, maxAttempts: 12, ...options }
  }

  get size(): number {
    return this.#timers.size
  }

  keep(message: OrderMessage, requestId: string): void {
    if (this.#closed || this.#timers.size >= this.#options.maxKept) return
    this.#schedule(message, requestId, 1)
  }

  #schedule(message: OrderMessage, requestId: string, attempt: number): void {
    const { firstDelayMs, maxDelayMs, maxAttempts, send, log } = this.#options
    const delay = Math.min(maxDelayMs, firstDelayMs * 2 ** (attempt - 1))
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      if (this.#closed) return
      send(message, requestId).then(
        () => this.#options.onResent?.(),
        (error) => {
          if (attempt >= maxAttempts) {
            log.warn(
              { err: error, order_uuid: message.order_uuid },
              'order still unsent; left to the stale sweep',
            )
            return
          }
          this.#schedule(message, requestId, attempt + 1)
        },
      )
    }, delay)
    timer.unref()
    this.#timers.add(timer)
  }

  /** On shutdown: what is still waiting is left to the stale-pending sweep (its rows are written). */
  close(): void {
    this.#closed = true
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }
}
