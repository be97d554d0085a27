import type { OrderRow } from '@flash/db'
import type { FastifyBaseLogger } from 'fastify'

export interface UnresolvedWritesOptions {
  /** Reads the row by order uuid (undefined: not there, yet or ever). */
  find: (orderUuid: string) => Promise<OrderRow | undefined>
  /** Hands a row that did land, still pending, to the queue. */
  send: (row: OrderRow) => void
  log: FastifyBaseLogger
  intervalMs?: number
  maxChecks?: number
  maxWatched?: number
}

/**
 * Pending-row INSERTs whose outcome the intake could not learn (MySQL stalled or unreachable past
 * every deadline; the buyer was answered 503). Such a row may still land, and nobody would send its
 * message until the finalizer's stale-pending sweep. This instance looks for it once a second for a
 * minute: found pending → sent at once; found terminal (inventory's fence won, or it completed) or
 * never found → nothing to do (the sweeper fences the reservation). In memory on purpose: a crash
 * loses only the fast path.
 */
export class UnresolvedWrites {
  readonly #options: Required<UnresolvedWritesOptions>
  readonly #timers = new Set<NodeJS.Timeout>()
  #closed = false

  constructor(options: UnresolvedWritesOptions) {
    this.#options = { intervalMs: 1_000, maxChecks: 60, maxWatched: 10_000, ...options }
  }

  watch(orderUuid: string): void {
    if (this.#closed || this.#timers.size >= this.#options.maxWatched) return
    this.#check(orderUuid, 1)
  }

  #check(orderUuid: string, attempt: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      if (this.#closed) return
      this.#options.find(orderUuid).then(
        (row) => {
          if (row?.status === 'pending') this.#options.send(row)
          else if (!row && attempt < this.#options.maxChecks) this.#check(orderUuid, attempt + 1)
        },
        (error) => {
          if (attempt < this.#options.maxChecks) this.#check(orderUuid, attempt + 1)
          else
            this.#options.log.warn({ err: error, order_uuid: orderUuid }, 'unresolved order write given up')
        },
      )
    }, this.#options.intervalMs)
    timer.unref()
    this.#timers.add(timer)
  }

  close(): void {
    this.#closed = true
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }
}
