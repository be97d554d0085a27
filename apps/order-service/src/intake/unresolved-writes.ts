import { type Db, isFence, type NewOrder, writeFence } from '@flash/db'
import type { FastifyBaseLogger } from 'fastify'
import { findOrderByReservation, insertOrderIfAbsent } from '../repositories/orders.ts'

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
 * every deadline). The buyer was answered 202 and sees the order `pending` (unconfirmed-orders.ts), so
 * the order is owed: as soon as MySQL answers again this writes the row itself — the same order uuid
 * and reservation id — unless a row already holds them. The unique keys decide atomically: the
 * original (landed late, or first) or this write stands, and is sent at once if pending; only if
 * inventory's sweeper fenced the reservation first (its TTL ran out before any row) can the order
 * never exist, and its status then says so (`failed`, `abandoned`). In memory: after a crash the
 * sweeper fences the reservation once its TTL is over.
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
    const { db } = this.#options
    await insertOrderIfAbsent(db, row)
    // By reservation id: inventory's sweeper may have fenced it first under another order uuid.
    let found = await findOrderByReservation(db, row.reservation_id)
    if (!found) {
      // Another unique key refused the row (its Idempotency-Key is another order's): it can never be
      // written, and the fence keeps a first attempt still on the wire from landing later.
      await writeFence(db, row)
      found = await findOrderByReservation(db, row.reservation_id)
    }
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
