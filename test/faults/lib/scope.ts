/**
 * Cleanups of one fault stack, run last-in first-out by `close()`. Not tied to one tap test: a stack
 * that kept the contract is reused by the next scenario, so its life spans several subtests. Every
 * cleanup runs even if an earlier one failed (tap's teardown stops at the first throw).
 */
export class Scope {
  readonly #cleanups: (() => unknown)[] = []
  #closing: Promise<string[]> | undefined

  teardown(fn: () => unknown): void {
    this.#cleanups.push(fn)
  }

  /** Runs every cleanup; resolves with the errors' messages (never rejects). */
  close(): Promise<string[]> {
    this.#closing ??= (async () => {
      const errors: string[] = []
      for (let fn = this.#cleanups.pop(); fn; fn = this.#cleanups.pop()) {
        try {
          await fn()
        } catch (error) {
          errors.push((error as Error).message)
        }
      }
      return errors
    })()
    return this.#closing
  }
}
