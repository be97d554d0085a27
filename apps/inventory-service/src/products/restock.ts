import type { FastifyInstance } from 'fastify'
import { viaRedis } from '../errors.ts'
import { readWarmSource } from '../repositories/orders.ts'

/**
 * Brings Redis up to a restock MySQL has already committed, and answers the product's live available.
 *
 * Redis is told the product's new `supplied` total, not just the quantity: the script adds
 * `supplied − supplied already included` (only when positive) and records the new total, so applying
 * a restock is idempotent by version. That closes the double count where a warm-up runs between the
 * MySQL commit and this call (it read the new stock, and recorded the new `supplied` with it, so this
 * call adds nothing), and it lets any later call — a retry, another restock, the sweeper's repair
 * pass — deliver a restock whose Redis step was lost.
 *
 * When the state is cold, MySQL already holds the restock and the next warm-up reads it; we warm up
 * at once and apply again, which covers a warm-up that read MySQL *before* the commit and wrote
 * after our first call found the state cold (it recorded the old total: the second call adds the
 * difference).
 */
export async function applyRestock(
  app: FastifyInstance,
  productId: number,
  supplied: number,
): Promise<number> {
  const { restocks } = app.inventoryMetrics
  try {
    const apply = () => viaRedis(app.redis, () => app.stock.restock(productId, supplied))
    let result = await apply()
    if (result.status === 'cold') {
      restocks.inc({ result: 'cold' })
      await app.warmer.warm(productId)
      result = await apply()
    }
    restocks.inc({ result: result.status })
    if (result.available !== null) return result.available
  } catch (error) {
    // MySQL has committed: answering 503 would invite a retry that restocks twice. The sweeper's repair
    // pass re-applies the version later; the answer falls back to MySQL's books.
    app.log.warn(
      { err: error, product_id: productId },
      'restock not applied to Redis yet; left to the repair pass',
    )
  }
  const source = await readWarmSource(app.db, productId)
  return source ? source.stock - source.pendingQty : 0
}
