export interface BatchesOptions<T> {
  /** Sends one batch and settles each item's own caller; a rejection is ignored (settle callers first). */
  send: (batch: T[]) => Promise<void>
  /** Most items per batch, counted with `sizeOf`; a single item larger than this still goes alone. */
  maxItems: number
  /** Batches being sent at once; items added meanwhile gather for the next free slot. */
  maxInFlight: number
  /**
   * How long the first item of a batch waits for company while a slot is free: 'now' (not at all:
   * company is what arrives while the slots are busy), 'turn' (the rest of this event-loop turn) or a
   * number of ms (a full batch goes at once).
   */
  window: 'now' | 'turn' | number
  /** The weight of one item against `maxItems` (default 1). */
  sizeOf?: (item: T) => number
}

/**
 * The one batching primitive: items added by concurrent callers go out together, one exchange per
 * batch instead of one per item. Under load a turn serves tens of orders, and a round trip per order
 * (HTTP, INSERT, SendMessageBatch, a transaction on the hot product row) is what stops an accept or
 * finalize path from scaling. What varies per use is only when a batch goes (`window`), how many
 * may be on the wire (`maxInFlight`) and how big one may be (`maxItems`).
 */
export class Batches<T> {
  readonly #options: BatchesOptions<T>
  readonly #sizeOf: (item: T) => number
  readonly #inFlight = new Set<Promise<void>>()
  #queue: T[] = []
  #queuedSize = 0
  #timer: NodeJS.Timeout | undefined
  #immediate: NodeJS.Immediate | undefined
  /** Items are queued because every slot was busy (not because their window is still open). */
  #waitingForSlot = false

  constructor(options: BatchesOptions<T>) {
    this.#options = options
    this.#sizeOf = options.sizeOf ?? (() => 1)
  }

  add(item: T): void {
    this.#queue.push(item)
    this.#queuedSize += this.#sizeOf(item)
    const { window, maxItems } = this.#options
    if (window === 'now') this.#flush()
    // The whole turn joins, however many: the batches are cut at the end of it.
    else if (window === 'turn') this.#immediate ??= setImmediate(() => this.#flush())
    else if (this.#queuedSize >= maxItems) this.#flush()
    else this.#timer ??= setTimeout(() => this.#flush(), window)
  }

  /** Sends whatever is queued (free slots permitting) and waits until nothing is queued or on the wire. */
  async drain(): Promise<void> {
    this.#flush()
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight])
  }

  #flush(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#immediate) clearImmediate(this.#immediate)
    this.#immediate = undefined
    while (this.#queue.length > 0 && this.#inFlight.size < this.#options.maxInFlight) {
      const batch = this.#take()
      const sent: Promise<void> = this.#options
        .send(batch)
        .catch(() => {})
        .finally(() => {
          this.#inFlight.delete(sent)
          this.#afterBatch()
        })
      this.#inFlight.add(sent)
    }
    this.#waitingForSlot = this.#queue.length > 0
  }

  /** A slot is free again: what gathered meanwhile goes as its window says. */
  #afterBatch(): void {
    if (this.#queue.length === 0) return
    const { window } = this.#options
    if (window === 'now') this.#flush()
    else if (window === 'turn') this.#immediate ??= setImmediate(() => this.#flush())
    // A timed window: only what waited for a slot goes at once; the rest keeps its timer.
    else if (this.#waitingForSlot) this.#flush()
  }

  #take(): T[] {
    let size = 0
    let count = 0
    while (count < this.#queue.length) {
      const next = this.#sizeOf(this.#queue[count]!)
      if (count > 0 && size + next > this.#options.maxItems) break
      size += next
      count++
    }
    this.#queuedSize -= size
    return this.#queue.splice(0, count)
  }
}
