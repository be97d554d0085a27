import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ProductParams } from '@flash/contracts'
import { requireServiceCredential } from '@flash/service-kit'
import { productNotFound, viaRedis } from '../errors.ts'
import { readProductBooks } from '../repositories/orders.ts'
import { codes, INTERNAL_TAGS, problems, StockState } from '../schemas.ts'

export const stockStateRoutes: FastifyPluginAsyncTypebox<{ serviceToken: string }> = async (app, options) => {
  app.get(
    '/internal/products/:id/stock-state',
    {
      onRequest: requireServiceCredential(options.serviceToken),
      schema: {
        tags: INTERNAL_TAGS,
        summary: "A product's Redis state next to MySQL's books (service credential)",
        description:
          'For the stock audit and end-to-end tests. Does not warm a cold product (`redis.available` is ' +
          'null then). With nothing in flight: redis.available = mysql.stock − mysql.pending_qty with no ' +
          'reservations left (I4), and mysql.stock = mysql.supplied − mysql.completed_qty (I2). ' +
          codes('unauthorized', 'product_not_found', 'dependency_unavailable'),
        params: ProductParams,
        response: { 200: StockState, ...problems(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const { id } = request.params
      const mysql = await readProductBooks(app.db, id)
      if (!mysql) throw productNotFound(id)
      const redis = await viaRedis(app.redis, () => app.stock.snapshot(id))
      return { product_id: id, redis, mysql }
    },
  )
}
