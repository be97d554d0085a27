interface Waiting<I, R> {
  items: I[]
  resolve: (result: R) => void
  reject: (error: unknown) => void
}

/**
 * Group commit: batches that arrive while a transaction is running wait and then share the next one.
 * In a flash sale every batch needs the same hot product row, so concurrent transactions would only
 * queue on its lock one after another; merged, the lock is taken once per group and every order pays
 * a fraction of the round trips. Each submitter gets the whole group's result (and its failure: the
 * group is retried together, which is safe because finalizing is idempotent).
 */
export class GroupCommitter<I, R> {
  readonly #run: (items: I[]) => Promise<R>
  readonly #maxItems: number
  #waiting: Waiting<I, R>[] = []
  #running = false

  constructor(run: (items: I[]) => Promise<R>, maxItems: number) {
    this.#run = run
    this.#maxItems = maxItems
  }

  submit(items: I[]): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#waiting.push({ items, resolve, reject })
      if (!this.#running) void this.#drain()
    })
  }

  async #drain(): Promise<void> {
    this.#running = true
    // Ends when nothing waits; every turn takes at least one submission, so it cannot spin.
    while (this.#waiting.length > 0) {
      const group: Waiting<I, R>[] = []
      let size = 0
      while (
        this.#waiting.length > 0 &&
        (group.length === 0 || size + this.#waiting[0]!.items.length <= this.#maxItems)
      ) {
        const next = this.#waiting.shift()!
        group.push(next)
        size += next.items.length
      }
      try {
        const result = await this.#run(group.flatMap((w) => w.items))
        for (const w of group) w.resolve(result)
      } catch (error) {
        for (const w of group) w.reject(error)
      }
    }
    this.#running = false
  }
}
