import { type Database, type NewOrder, retryOnDeadlock } from '@flash/db'
import { Batches, withTimeout } from '@flash/service-kit'
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
  /** A caller waits this long for its row; then it gets TimedOut (the write may still land). */
  timeoutMs?: number
}

/**
 * Writes pending order rows with multi-row INSERTs. Alone, a row is written at once (next tick);
 * under load, rows that arrive while `maxInFlight` statements are running are gathered into the next
 * one. One statement and one commit for many orders: on this kind of machine a socket write costs
 * tens of microseconds and a commit an fsync, so this is what lets accepted orders scale. A failed
 * statement is retried row by row, so each caller gets only its own row's outcome (e.g. the
 * duplicate key of an Idempotency-Key takeover, or of its own row when the batch did commit but its
 * reply was lost).
 *
 * Every caller has a deadline well under the reservation TTL: an INSERT stalled behind a failing
 * database must not hold the intake until inventory's sweeper gives the reservation up.
 */
export class OrderInserter {
  readonly #db: Kysely<Database>
  readonly #timeoutMs: number
  readonly #batches: Batches<Pending>

  constructor(
    db: Kysely<Database>,
    { maxRows = 100, maxInFlight = 4, timeoutMs = 2_000 }: OrderInserterOptions = {},
  ) {
    this.#db = db
    this.#timeoutMs = timeoutMs
    // The rows of one event-loop turn share a statement.
    this.#batches = new Batches({
      send: (batch) => this.#write(batch),
      maxItems: maxRows,
      maxInFlight,
      window: 'turn',
    })
  }

  insert(row: NewOrder): Promise<void> {
    return this.#withDeadline(
      new Promise<void>((resolve, reject) => this.#batches.add({ row, resolve, reject })),
    )
  }

  /** One row in its own statement, outside the batches (the retry after an ambiguous failure). */
  insertAlone(row: NewOrder): Promise<void> {
    return this.#withDeadline(this.#insertRow(row))
  }

  #withDeadline(write: Promise<void>): Promise<void> {
    return withTimeout(write, this.#timeoutMs, `order insert not answered within ${this.#timeoutMs} ms`)
  }

  // The pending insert can be a deadlock victim against the finalizer's order updates; InnoDB rolled
  // it back, so running it again is safe.
  #insertRow(row: NewOrder): Promise<void> {
    return retryOnDeadlock(() => this.#db.insertInto('orders').values(row).execute()).then(() => {})
  }

  async #write(batch: Pending[]): Promise<void> {
    try {
      await retryOnDeadlock(() =>
        this.#db
          .insertInto('orders')
          .values(batch.map((p) => p.row))
          .execute(),
      )
      for (const p of batch) p.resolve()
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error)
      await Promise.all(batch.map((p) => this.#insertRow(p.row).then(p.resolve, p.reject)))
    }
  }
}
