import { type Db, isFence, type NewOrder, writeFence } from '@flash/db'
import type { FastifyBaseLogger } from 'fastify'
import { findOrderByReservation } from '../repositories/orders.ts'

/** `written`: the row is there (sent if pending). `fenced`: it never will be (reservation released). */
export type Resolution = 'written' | 'fenced' | 'gave_up'

type Unresolved = NewOrder & { order_uuid: string; reservation_id: string }

export interface UnresolvedWritesOptions {
  db: Db
  /** Hands a row that did land, still pending, to the queue. */
  send: (row: Unresolved) => void
  /** Gives back the reservation of a row that was fenced off (it will never exist). */
  release: (row: Unresolved) => Promise<void>
  log: FastifyBaseLogger
  intervalMs?: number
  maxTries?: number
  maxWatched?: number
}

/**
 * Pending-row INSERTs whose outcome the intake could not learn (MySQL stalled or unreachable past
 * every deadline; the buyer was answered 202 and sees the order `pending`, see unconfirmed-orders.ts). Such a row may still land at any time, so nothing may
 * be compensated until it is known never to land. As soon as MySQL answers again, this writes a fence
 * for the same order uuid and reservation id (a `failed` row): the unique keys decide atomically —
 * either the original is there (sent at once if pending) or the fence is (the original can never be
 * written now, and the reservation is released); either way the order's status then says so. In
 * memory: after a crash inventory's sweeper fences the reservation once its TTL is over.
 */
export class UnresolvedWrites {
  readonly #options: Required<UnresolvedWritesOptions>
  readonly #timers = new Set<NodeJS.Timeout>()
  #closed = false

  constructor(options: UnresolvedWritesOptions) {
    this.#options = { intervalMs: 500, maxTries: 120, maxWatched: 10_000, ...options }
  }

  get size(): number {
    return this.#timers.size
  }

  resolve(row: Unresolved): Promise<Resolution> {
    if (this.#closed || this.#timers.size >= this.#options.maxWatched) return Promise.resolve('gave_up')
    return new Promise((done) => this.#try(row, 1, done))
  }

  #try(row: Unresolved, attempt: number, done: (resolution: Resolution) => void): void {
    const timer = setTimeout(async () => {
      this.#timers.delete(timer)
      if (this.#closed) return done('gave_up')
      try {
        done(await this.#settle(row))
      } catch (error) {
        if (attempt < this.#options.maxTries) return this.#try(row, attempt + 1, done)
        this.#options.log.warn(
          { err: error, order_uuid: row.order_uuid },
          'unresolved order write left to the sweeper',
        )
        done('gave_up')
      }
    }, this.#options.intervalMs)
    timer.unref()
    this.#timers.add(timer)
  }

  async #settle(row: Unresolved): Promise<Resolution> {
    await writeFence(this.#options.db, row)
    // By reservation id: inventory's sweeper may have fenced it first under another order uuid.
    const found = await findOrderByReservation(this.#options.db, row.reservation_id)
    if (found && found.order_uuid === row.order_uuid && !isFence(found)) {
      if (found.status === 'pending') this.#options.send(row)
      return 'written'
    }
    await this.#options.release(row)
    return 'fenced'
  }

  close(): void {
    this.#closed = true
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }
}
