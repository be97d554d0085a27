import type { Database } from '@flash/db'
import type { Kysely } from 'kysely'
import { readWarmSource } from '../repositories/orders.ts'
import { productKeys, type StockStore } from '../stock/index.ts'
import type { WarmSettle } from './warm-settle.ts'

export type WarmResult = 'warmed' | 'noop' | 'not_found' | 'error'

export interface WarmerOptions {
  db: Kysely<Database>
  stock: StockStore
  /** Holds rebuilds back for a moment after Redis lost its data (see warm-settle.ts). */
  settle?: WarmSettle
  /** Called once per warm-up that actually ran (joined callers are not counted). */
  onResult?: (result: WarmResult) => void
}

/**
 * Rebuilds a product's Redis state from MySQL when it is missing (first use, eviction, FLUSHALL,
 * failover to an empty replica): available = stock − Σ pending, never stock alone.
 *
 * Two layers keep concurrent warm-ups from doubling up: in this process, callers for one product share
 * one promise (one MySQL read, not a thousand, when a hot product goes cold under load); across
 * instances, `StockStore.warm` is a check-and-set script, so only the first writer wins and later
 * ones change nothing.
 */
export class Warmer {
  readonly #db: Kysely<Database>
  readonly #stock: StockStore
  readonly #onResult: (result: WarmResult) => void
  readonly #settle: WarmSettle | undefined
  readonly #inflight = new Map<number, Promise<number | null>>()

  constructor({ db, stock, settle, onResult }: WarmerOptions) {
    this.#db = db
    this.#stock = stock
    this.#settle = settle
    this.#onResult = onResult ?? (() => {})
  }

  /** Available units after the warm-up (whoever wrote the state), or null: no such product. */
  warm(productId: number): Promise<number | null> {
    const running = this.#inflight.get(productId)
    if (running) return running
    const promise = this.#run(productId).finally(() => this.#inflight.delete(productId))
    this.#inflight.set(productId, promise)
    return promise
  }

  /**
   * Live available units of several products: one pipelined round trip of GETs (keys of different
   * products live in different cluster slots, so no MGET), then a warm-up for each cold one.
   * A product that does not exist maps to null.
   */
  async available(productIds: number[]): Promise<Map<number, number | null>> {
    const out = new Map<number, number | null>()
    if (productIds.length === 0) return out
    const pipeline = this.#stock.redis.pipeline()
    for (const id of productIds) pipeline.get(productKeys(id).available)
    const replies = (await pipeline.exec()) ?? []
    const cold: number[] = []
    productIds.forEach((id, i) => {
      const [error, value] = replies[i] ?? [new Error('no reply')]
      if (error) throw error
      if (value === null) cold.push(id)
      else out.set(id, Number(value))
    })
    const warmed = await Promise.all(cold.map((id) => this.warm(id)))
    for (const [i, id] of cold.entries()) out.set(id, warmed[i]!)
    return out
  }

  async #run(productId: number): Promise<number | null> {
    // Before anything is read: throws WarmSettling (→ 503 + Retry-After) right after a data loss.
    await this.#settle?.check(productId)
    try {
      // Taken before the MySQL read: a reservation created before it is among the pending orders the
      // read counts, which is what give-back.lua relies on for reservations Redis has forgotten.
      const nowMs = Date.now()
      const source = await readWarmSource(this.#db, productId)
      if (!source) {
        this.#onResult('not_found')
        return null
      }
      const { warmed, available } = await this.#stock.warm(productId, source, nowMs)
      this.#onResult(warmed ? 'warmed' : 'noop')
      return available
    } catch (error) {
      this.#onResult('error')
      throw error
    }
  }
}
