import type { StateVersion, StockStore } from '../stock/index.ts'

/**
 * Notices a product whose state went back in time — a failover promoted a replica that missed the last
 * writes — and drops that state, so the product waits out its settle window and is rebuilt from MySQL
 * like a lost one (see warm-settle.ts). Nothing inside Redis can tell a restored old version from the
 * current one; an instance that has seen a newer version can. Every reserve reports the version it saw
 * (generation, seq); this instance remembers the newest per product.
 *
 * A reply older than the newest is only a suspicion: replies of one connection arrive in execution
 * order, but one whose script ioredis had to resend (NOSCRIPT on a new connection or server) resolves a
 * few microtasks later than one answered at once. So the drop is decided by a script on the state as it
 * is then (invalidate.lua), which runs behind every command already answered.
 *
 * A best-effort filter, like all of Redis: a rollback no instance had seen past goes unnoticed, and
 * MySQL's guards (stock, per-user limit) hold regardless. A new primary whose clock is behind makes a
 * legitimate rebuild look older once; the entry is forgotten after each drop, so that costs at most one
 * extra rebuild per instance.
 */
export class RollbackWatch {
  readonly #stock: StockStore
  readonly #settleMs: number
  readonly #newest = new Map<number, StateVersion>()

  constructor(stock: StockStore, settleMs: number) {
    this.#stock = stock
    this.#settleMs = settleMs
  }

  /**
   * Records what a reserve saw (called as each reply arrives). When it is older than the newest seen,
   * sends the drop at once — ahead of any command issued after this reply — and resolves true if the
   * state was dropped; otherwise resolves false without a round trip.
   */
  observe(productId: number, version: StateVersion): Promise<boolean> | false {
    const newest = this.#newest.get(productId)
    if (!newest || !isOlder(version, newest)) {
      this.#newest.set(productId, version)
      return false
    }
    return this.#stock.invalidateIfOlder(productId, newest, this.#settleMs).then((dropped) => {
      // The rebuilt state is the new baseline, whatever its generation.
      if (dropped) this.#newest.delete(productId)
      return dropped
    })
  }
}

function isOlder(a: StateVersion, b: StateVersion): boolean {
  const genA = BigInt(a.gen)
  const genB = BigInt(b.gen)
  return genA < genB || (genA === genB && BigInt(a.seq) < BigInt(b.seq))
}
