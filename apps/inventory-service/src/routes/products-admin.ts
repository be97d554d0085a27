import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CreateProductBody, Product, ProductParams, RestockBody } from '@flash/contracts'
import { blankName, productNotFound, stockLimitExceeded, viaRedis } from '../errors.ts'
import { insertProduct, restockProduct, STOCK_LIMIT, toProduct } from '../repositories/products.ts'
import { applyRestock } from '../restock.ts'
import { BEARER, BODY_PROBLEMS, codes, PUBLIC_TAGS, problems } from '../schemas.ts'

const ADMIN_CODES = codes('unauthorized', 'token_revoked', 'forbidden', 'validation_failed')

export const productsAdminRoutes: FastifyPluginAsyncTypebox = async (app) => {
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
