import { type Database, type NewOrder, retryOnDeadlock } from '@flash/db'
import type { Kysely } from 'kysely'

interface Pending {
  row: NewOrder
  resolve: () => void
  reject: (error: unknown) => void
}

export interface OrderInserterOptions {
  maxRows?: number
  /** Multi-row INSERTs on the wire at once; further rows gather for the next one meanwhile. */
  maxInFlight?: number
}

/**
 * Writes pending order rows with multi-row INSERTs. Alone, a row is written at once (next tick);
 * under load, rows that arrive while `maxInFlight` statements are running are gathered into the next
 * one. One statement and one commit for many orders: on this kind of machine a socket write costs
 * tens of microseconds and a commit an fsync, so this is what lets accepted orders scale. A failed
 * statement is retried row by row, so each caller gets only its own row's outcome (e.g. the
 * duplicate key of an Idempotency-Key takeover).
 */
export class OrderInserter {
  readonly #db: Kysely<Database>
  readonly #maxRows: number
  readonly #maxInFlight: number
  #queue: Pending[] = []
  #inFlight = 0
  #scheduled = false

  constructor(db: Kysely<Database>, { maxRows = 100, maxInFlight = 4 }: OrderInserterOptions = {}) {
    this.#db = db
    this.#maxRows = maxRows
    this.#maxInFlight = maxInFlight
  }

  insert(row: NewOrder): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ row, resolve, reject })
      this.#schedule()
    })
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#maxInFlight) return
    this.#scheduled = true
    // setImmediate: every row that arrives in this turn of the event loop joins the statement.
    setImmediate(() => {
      this.#scheduled = false
      while (this.#queue.length > 0 && this.#inFlight < this.#maxInFlight) {
        this.#inFlight++
        void this.#write(this.#queue.splice(0, this.#maxRows)).finally(() => {
          this.#inFlight--
          if (this.#queue.length > 0) this.#schedule()
        })
      }
    })
  }

  async #write(batch: Pending[]): Promise<void> {
    try {
      // The pending insert can be a deadlock victim against the finalizer's order updates; InnoDB
      // rolled it back, so running it again is safe.
      await retryOnDeadlock(() =>
        this.#db
          .insertInto('orders')
          .values(batch.map((p) => p.row))
          .execute(),
      )
      for (const p of batch) p.resolve()
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error)
      await Promise.all(
        batch.map((p) =>
          retryOnDeadlock(() => this.#db.insertInto('orders').values(p.row).execute()).then(
            () => p.resolve(),
            p.reject,
          ),
        ),
      )
    }
  }
}
