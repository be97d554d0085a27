import { Batches } from '@flash/service-kit'

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
 * group is retried together, which is safe because finalizing is idempotent). Service-kit's `Batches`
 * with one transaction at a time, starting at once when none runs.
 */
export class GroupCommitter<I, R> {
  readonly #batches: Batches<Waiting<I, R>>

  constructor(run: (items: I[]) => Promise<R>, maxItems: number) {
    this.#batches = new Batches({
      send: async (group) => {
        try {
          const result = await run(group.flatMap((w) => w.items))
          for (const w of group) w.resolve(result)
        } catch (error) {
          for (const w of group) w.reject(error)
        }
      },
      maxItems,
      maxInFlight: 1,
      window: 'now',
      sizeOf: (w) => w.items.length,
    })
  }

  submit(items: I[]): Promise<R> {
    return new Promise<R>((resolve, reject) => this.#batches.add({ items, resolve, reject }))
  }
}
