import type { ProductInfo } from '../repositories/products.ts'

/**
 * Name, price and limit of recently read products, per instance, for `ttlMs` (PRODUCT_CACHE_MS), so a
 * product page hammered during a sale costs one Redis GET and no MySQL query. Only the slow-changing
 * fields are cached: `stock` is always read live from Redis. Concurrent misses share one load, and the
 * map is bounded (oldest entries go first) so scanning ids cannot grow it without limit.
 */
export class ProductCache {
  readonly #ttlMs: number
  readonly #maxEntries: number
  readonly #entries = new Map<number, { info: ProductInfo; until: number }>()
  readonly #loading = new Map<number, Promise<ProductInfo | undefined>>()

  constructor(ttlMs: number, maxEntries = 10_000) {
    this.#ttlMs = ttlMs
    this.#maxEntries = maxEntries
  }

  async get(
    id: number,
    load: (id: number) => Promise<ProductInfo | undefined>,
  ): Promise<ProductInfo | undefined> {
    const hit = this.#entries.get(id)
    if (hit && hit.until > Date.now()) return hit.info
    const running = this.#loading.get(id)
    if (running) return running
    const promise = load(id)
      .then((info) => {
        // Unknown ids are not cached: a product created a moment later must not 404 on this instance.
        if (info) this.set(info)
        return info
      })
      .finally(() => this.#loading.delete(id))
    this.#loading.set(id, promise)
    return promise
  }

  set(info: ProductInfo): void {
    if (this.#ttlMs === 0) return
    const id = Number(info.id)
    this.#entries.delete(id)
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
    this.#entries.set(id, { info, until: Date.now() + this.#ttlMs })
  }
}
