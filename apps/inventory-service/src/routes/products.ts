import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Product, ProductListQuery, ProductPage, ProductParams } from '@flash/contracts'
import { invalidCursor, productNotFound, viaRedis } from '../errors.ts'
import { findProductInfo, listProductInfo, toProduct } from '../repositories/products.ts'
import { codes, problems, PUBLIC_TAGS } from '../schemas.ts'
import { productsAdminRoutes } from './products-admin.ts'

// Cursors are opaque to callers; inside they are the last id of the previous page.
const encodeCursor = (id: number) => Buffer.from(`p${id}`).toString('base64url')
function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0
  const match = /^p(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString())
  if (!match) throw invalidCursor()
  return Number(match[1])
}

const productsReadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/products',
    {
      schema: {
        tags: PUBLIC_TAGS,
        summary: 'List products',
        description:
          'Products in id order, `limit` per page (≤ 100); pass `next_cursor` back as `cursor` for the ' +
          `next page (null on the last). \`stock\` is what can be sold now. ${codes('validation_failed', 'dependency_unavailable')}`,
        querystring: ProductListQuery,
        response: { 200: ProductPage, ...problems(400, 503) },
      },
    },
    async (request) => {
      const afterId = decodeCursor(request.query.cursor)
      const limit = request.query.limit ?? 20
      // One row more than the page tells whether another page exists without an extra query.
      const rows = await listProductInfo(app.db, afterId, limit + 1)
      const page = rows.slice(0, limit)
      for (const info of page) app.productCache.set(info)
      const available = await viaRedis(app.redis, () => app.warmer.available(page.map((p) => Number(p.id))))
      const data = page.flatMap((info) => {
        const units = available.get(Number(info.id))
        return units == null ? [] : [toProduct(info, units)]
      })
      const last = page.at(-1)
      return { data, next_cursor: rows.length > limit && last ? encodeCursor(Number(last.id)) : null }
    },
  )

  app.get(
    '/api/products/:id',
    {
      schema: {
        tags: PUBLIC_TAGS,
        summary: 'One product',
        description:
          'Name, price, limit and sale window may be up to PRODUCT_CACHE_MS old; `stock` (units available ' +
          'for sale now) is always live. `sale_starts_at` / `sale_ends_at`: orders are taken from the first ' +
          '(null: on sale now) until the second (null: no end); count down with the `Date` header, the ' +
          `server's clock, which every answer carries. ${codes('product_not_found', 'validation_failed', 'dependency_unavailable')}`,
        params: ProductParams,
        response: { 200: Product, ...problems(400, 404, 503) },
      },
    },
    async (request) => {
      const { id } = request.params
      const info = await app.productCache.get(id, (productId) => findProductInfo(app.db, productId))
      if (!info) throw productNotFound(id)
      const available = (await viaRedis(app.redis, () => app.warmer.available([id]))).get(id)
      if (available == null) throw productNotFound(id)
      return toProduct(info, available)
    },
  )
}

/** The products resource: public reads; admin creation, restock and sale window (products-admin.ts). */
export const productRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await productsReadRoutes(app, {})
  await productsAdminRoutes(app, {})
}
