import type { StateVersion, StockStore } from './stock/index.ts'

/**
 * Notices a product whose state went back in time — a failover promoted a replica that missed the last
 * writes — and drops that state, so the product waits out its settle window and is rebuilt from MySQL
 * like a lost one (see warm-settle.ts). Nothing inside Redis can tell a restored old version from the
 * current one; an instance that has seen a newer version can. Every reserve reports the version it saw
 * (generation, seq); this instance remembers the newest per product, and a version older than that is
 * a rollback.
 *
 * A best-effort filter, like all of Redis: a rollback no instance had seen past goes unnoticed, and
 * MySQL's guards (stock, per-user limit) hold regardless. A new primary whose clock is behind makes a
 * legitimate rebuild look older once; the entry is forgotten after each drop, so that costs at most one
 * extra rebuild per instance.
 */
export class RollbackWatch {
  readonly #stock: StockStore
  readonly #settleMs: number
  readonly #newest = new Map<number, { gen: bigint; seq: bigint }>()

  constructor(stock: StockStore, settleMs: number) {
    this.#stock = stock
    this.#settleMs = settleMs
  }

  /**
   * Records what a script saw; drops the product's state if it is older than what was seen before.
   * Called in reply order (StockStore calls it as each reply arrives on the connection), so a version
   * older than the newest seen cannot be a reordering of this instance's own answers.
   */
  async observe(productId: number, version: StateVersion): Promise<boolean> {
    const seen = { gen: BigInt(version.gen), seq: BigInt(version.seq) }
    const newest = this.#newest.get(productId)
    const older =
      newest !== undefined && (seen.gen < newest.gen || (seen.gen === newest.gen && seen.seq < newest.seq))
    if (!older) {
      this.#newest.set(productId, seen)
      return false
    }
    this.#newest.delete(productId)
    return this.#stock.invalidate(productId, version.gen, this.#settleMs)
  }
}
