import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  CreateProductBody,
  Product,
  ProductListQuery,
  ProductPage,
  ProductParams,
  RestockBody,
} from '@flash/contracts'
import { blankName, invalidCursor, productNotFound, stockLimitExceeded, viaRedis } from '../errors.ts'
import {
  findProductInfo,
  insertProduct,
  listProductInfo,
  restockProduct,
  STOCK_LIMIT,
  toProduct,
} from '../repositories/products.ts'
import { BEARER, BODY_PROBLEMS, codes, problems, PUBLIC_TAGS } from '../schemas.ts'
import { applyRestock } from '../products/restock.ts'

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
          'Name, price and limit may be up to PRODUCT_CACHE_MS old; `stock` (units available for sale ' +
          `now) is always live. ${codes('product_not_found', 'validation_failed', 'dependency_unavailable')}`,
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

const ADMIN_CODES = codes('unauthorized', 'token_revoked', 'forbidden', 'validation_failed')

const productsAdminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/products',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: PUBLIC_TAGS,
        summary: 'Create a product (admin)',
        description: `\`max_per_user\` caps the units one buyer may hold (pending + completed). ${ADMIN_CODES}`,
        security: BEARER,
        body: CreateProductBody,
        response: { 201: Product, ...problems(...BODY_PROBLEMS, 401, 403, 503) },
      },
    },
    async (request, reply) => {
      const name = request.body.name.trim()
      if (!name) throw blankName()
      const { price_cents: priceCents, stock } = request.body
      const maxPerUser = request.body.max_per_user ?? null
      const id = await insertProduct(app.db, { name, priceCents, stock, maxPerUser })
      const info = { id, name, price_cents: priceCents, max_per_user: maxPerUser }
      app.productCache.set(info)
      try {
        // A new product's state is known exactly: no MySQL read. Should Redis fail here, the product
        // still exists and the first reserve or read warms it up from MySQL, so this is not an error.
        await viaRedis(app.redis, () =>
          app.stock.create(id, { stock, priceCents, maxPerUser: maxPerUser ?? 0 }, Date.now()),
        )
      } catch (error) {
        request.log.warn(
          { err: error, product_id: id },
          'product state not initialised in Redis; warm-up will',
        )
      }
      await app.publishEvent({ type: 'product_created', product_id: id })
      return reply.code(201).header('location', `/api/products/${id}`).send(toProduct(info, stock))
    },
  )

  app.post(
    '/api/products/:id/restock',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: PUBLIC_TAGS,
        summary: 'Add stock to a product (admin)',
        description:
          'Adds `quantity` to the product (MySQL first, then the live Redis state) and announces it, so ' +
          `buyers refused as sold out may order again. ${ADMIN_CODES.replace(/\.$/, '')}, \`product_not_found\` (404), ` +
          `\`stock_limit_exceeded\` (422: stock would pass ${STOCK_LIMIT}; nothing changed).`,
        security: BEARER,
        params: ProductParams,
        body: RestockBody,
        response: { 200: Product, ...problems(...BODY_PROBLEMS, 401, 403, 404, 422, 503) },
      },
    },
    async (request) => {
      const { id } = request.params
      const row = await restockProduct(app.db, id, request.body.quantity)
      if (!row) throw productNotFound(id)
      if (row === 'limit') throw stockLimitExceeded(id, request.body.quantity)
      app.productCache.set(row)
      const available = await applyRestock(app, id, row.supplied)
      await app.publishEvent({ type: 'restocked', product_id: id })
      return toProduct(row, available)
    },
  )
}

/** The products resource: public reads, admin creation and restock. */
export const productRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await productsReadRoutes(app, {})
  await productsAdminRoutes(app, {})
}
