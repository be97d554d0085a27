import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ProductCache } from '../products/product-cache.ts'
import { StockStore } from '../stock/index.ts'
import { RollbackWatch } from './rollback-watch.ts'
import { WarmSettle } from './warm-settle.ts'
import { Warmer } from './warmup.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** All stock state in Redis (Lua scripts), on the app's Redis connection. */
    stock: StockStore
    /** Rebuilds cold products from MySQL (single-flight per product) and reads live availability. */
    warmer: Warmer
    /** Name/price/limit of products for PRODUCT_CACHE_MS. */
    productCache: ProductCache
  }
}

export interface StockPluginOptions {
  productCacheMs: number
  /** WARM_SETTLE_MS: how long rebuilds wait after Redis lost its data. */
  warmSettleMs: number
}

export const stockPlugin = fp<StockPluginOptions>(
  async (app: FastifyInstance, { productCacheMs, warmSettleMs }) => {
    const stock = new StockStore(app.redis)
    const { warmups } = app.inventoryMetrics
    app.decorate('stock', stock)
    const settle = new WarmSettle(stock, warmSettleMs)
    const watch = new RollbackWatch(stock, warmSettleMs)
    stock.onVersion((productId, version) => {
      const id = Number(productId)
      const dropping = watch.observe(id, version)
      if (dropping === false) return
      dropping
        .then((dropped) => {
          if (dropped) app.log.warn({ product_id: id, ...version }, 'stock state rolled back; rebuilding')
        })
        .catch((error) => app.log.warn({ err: error, product_id: id }, 'rolled-back stock state not dropped'))
    })
    if (warmSettleMs > 0) {
      await settle.initialise(app.db).catch((error) => {
        // Not fatal: without the marker the first warm-up starts the window itself.
        app.log.warn({ err: error }, 'warm-up settle marker not initialised')
      })
    }
    app.decorate(
      'warmer',
      new Warmer({ db: app.db, stock, settle, onResult: (result) => warmups.inc({ result }) }),
    )
    app.decorate('productCache', new ProductCache(productCacheMs))
  },
  { name: 'inventory-stock', dependencies: ['flash-redis', 'flash-db', 'inventory-metrics'] },
)
