export interface TurnBatchesOptions {
  /** Items per batch. */
  maxItems: number
  /** Batches being sent at once; items arriving meanwhile gather for the next one. */
  maxInFlight: number
}

/**
 * Gathers the items added during one turn of the event loop into batches (`setImmediate`: every
 * request served in this turn joins). Alone, an item goes at once, in a batch of one. Used for the
 * intake's reserves and pending-row INSERTs: under load a turn serves tens of orders, and one
 * exchange per batch instead of one per order is what lets the accept path scale.
 * `send` settles each item's own caller; it must not throw (a rejection is ignored).
 */
export class TurnBatches<T> {
  readonly #send: (batch: T[]) => Promise<void>
  readonly #maxItems: number
  readonly #maxInFlight: number
  #queue: T[] = []
  #inFlight = 0
  #scheduled = false

  constructor(send: (batch: T[]) => Promise<void>, { maxItems, maxInFlight }: TurnBatchesOptions) {
    this.#send = send
    this.#maxItems = maxItems
    this.#maxInFlight = maxInFlight
  }

  add(item: T): void {
    this.#queue.push(item)
    this.#schedule()
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#maxInFlight) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      while (this.#queue.length > 0 && this.#inFlight < this.#maxInFlight) {
        this.#inFlight++
        this.#send(this.#queue.splice(0, this.#maxItems))
          .catch(() => {})
          .finally(() => {
            this.#inFlight--
            if (this.#queue.length > 0) this.#schedule()
          })
      }
    })
  }
}
