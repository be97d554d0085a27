import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CreateProductBody, Product, ProductParams, RestockBody, UpdateProductBody } from '@flash/contracts'
import type { FastifyInstance } from 'fastify'
import { blankName, productNotFound, saleWindowRefused, stockLimitExceeded, viaRedis } from '../errors.ts'
import { applyRestock } from '../products/restock.ts'
import { decideWindow, parseInstant, type SaleWindowMs, type WindowRefusal } from '../products/sale-window.ts'
import {
  insertProduct,
  restockProduct,
  STOCK_LIMIT,
  toProduct,
  updateProduct,
  windowOf,
} from '../repositories/products.ts'
import { BEARER, BODY_PROBLEMS, codes, problems, PUBLIC_TAGS } from '../schemas.ts'

const ADMIN_CODES = codes('unauthorized', 'token_revoked', 'forbidden', 'validation_failed')

const WINDOW_RULES =
  '`sale_starts_at` / `sale_ends_at` (RFC 3339) schedule the sale: orders are refused `sale_not_started` ' +
  'before the start and `sale_ended` from the end on; null = on sale now / no end. A start or end that is ' +
  'set must be in the future and the end after the start (`sale_window_invalid`, 422).'

const PAYMENT_WINDOW_RULE =
  '`payment_window_seconds` (0…21600) is how long an order of this product waits for its payment before ' +
  "it expires and its unit goes back on sale; 0 completes orders at commit, null = the deployment's " +
  'window (PAYMENT_WINDOW_SECONDS). A change applies to orders committed from then on.'

/** Redis's clock (TIME): the one the reserve script opens the sale by. 503 when Redis is down. */
const serverNow = (app: FastifyInstance) => viaRedis(app.redis, () => app.stock.serverTimeMs())

/**
 * Puts a window MySQL has committed into the product's Redis state. Cold: warm up (which reads the
 * window from MySQL) and set it again, in case a warm-up that read MySQL before the commit wrote after
 * the first call found the state cold — the values are absolute, so setting them twice is harmless.
 */
async function applyWindow(app: FastifyInstance, productId: number, window: SaleWindowMs): Promise<void> {
  await viaRedis(app.redis, async () => {
    if (await app.stock.setWindow(productId, window)) return
    await app.warmer.warm(productId)
    await app.stock.setWindow(productId, window)
  })
}

/** Admin-only product routes: creation, restock, and changes of the sale window and limit. */
export const productsAdminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/products',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: PUBLIC_TAGS,
        summary: 'Create a product (admin)',
        description:
          `\`max_per_user\` caps the units one buyer may hold (pending + completed). ${WINDOW_RULES} ${PAYMENT_WINDOW_RULE} ` +
          ADMIN_CODES.replace(/\.$/, ', `sale_window_invalid`.'),
        security: BEARER,
        body: CreateProductBody,
        response: { 201: Product, ...problems(...BODY_PROBLEMS, 401, 403, 422, 503) },
      },
    },
    async (request, reply) => {
      const name = request.body.name.trim()
      if (!name) throw blankName()
      const { price_cents: priceCents, stock } = request.body
      const maxPerUser = request.body.max_per_user ?? null
      const paymentWindowSeconds = request.body.payment_window_seconds ?? null
      const change = {
        startsMs: parseInstant(request.body.sale_starts_at),
        endsMs: parseInstant(request.body.sale_ends_at),
      }
      const hasWindow = change.startsMs != null || change.endsMs != null
      // Only a product with a window needs the clock: creating one without stays as cheap as before.
      const decided = decideWindow(undefined, change, hasWindow ? await serverNow(app) : 0)
      if (!decided.ok) throw saleWindowRefused(decided.code, decided.field, decided.message)
      const { window } = decided
      const id = await insertProduct(app.db, {
        name,
        priceCents,
        stock,
        maxPerUser,
        paymentWindowSeconds,
        window,
      })
      const info = {
        id,
        name,
        price_cents: priceCents,
        max_per_user: maxPerUser,
        payment_window_seconds: paymentWindowSeconds,
        sale_starts_at: window.startsMs === null ? null : new Date(window.startsMs),
        sale_ends_at: window.endsMs === null ? null : new Date(window.endsMs),
      }
      app.productCache.set(info)
      try {
        // A new product's state is known exactly: no MySQL read. Should Redis fail here, the product
        // still exists and the first reserve or read warms it up from MySQL, so this is not an error.
        await viaRedis(app.redis, () =>
          app.stock.create(id, { stock, priceCents, maxPerUser: maxPerUser ?? 0, window }, Date.now()),
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

  app.patch(
    '/api/products/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: PUBLIC_TAGS,
        summary: 'Schedule the sale or change the limit (admin)',
        description:
          'Fields left out stay as they are. ' +
          `${WINDOW_RULES} ${PAYMENT_WINDOW_RULE} Once the sale has opened its start can no longer move (\`sale_already_open\`, ` +
          '409); units are added with the restock endpoint, before or during the sale, and the end may still ' +
          'change. A refused change changes nothing. Every instance applies the new window at the same ' +
          `instant (Redis's clock). ${ADMIN_CODES.replace(/\.$/, '')}, \`product_not_found\` (404), ` +
          '`sale_window_invalid` (422), `sale_already_open` (409).',
        security: BEARER,
        params: ProductParams,
        body: UpdateProductBody,
        response: { 200: Product, ...problems(...BODY_PROBLEMS, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request) => {
      const { id } = request.params
      const change = {
        startsMs: parseInstant(request.body.sale_starts_at),
        endsMs: parseInstant(request.body.sale_ends_at),
      }
      const nowMs = await serverNow(app)
      const result = await updateProduct<WindowRefusal>(app.db, id, (current) => {
        const decided = decideWindow(windowOf(current), change, nowMs)
        if (!decided.ok) return { refusal: decided }
        return {
          update: {
            maxPerUser: request.body.max_per_user,
            paymentWindowSeconds: request.body.payment_window_seconds,
            window: decided.window,
          },
        }
      })
      if (!result) throw productNotFound(id)
      if ('refusal' in result) {
        const { code, field, message } = result.refusal
        throw saleWindowRefused(code, field, message)
      }
      app.productCache.set(result)
      const window = windowOf(result)
      // MySQL holds the change; a Redis failure answers 503 and the PATCH, whose values are absolute,
      // may simply be sent again (an unchanged start is not a move). Meanwhile the finalizer's guard
      // compares every order with the window MySQL holds.
      await applyWindow(app, id, window)
      if (request.body.max_per_user !== undefined) {
        await viaRedis(app.redis, () => app.stock.setMeta(id, { maxPerUser: request.body.max_per_user ?? 0 }))
      }
      await app.publishEvent({ type: 'product_updated', product_id: id })
      const available = (await viaRedis(app.redis, () => app.warmer.available([id]))).get(id)
      return toProduct(result, available ?? 0)
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
          'buyers refused as sold out may order again; before or during a scheduled sale alike. ' +
          `${ADMIN_CODES.replace(/\.$/, '')}, \`product_not_found\` (404), ` +
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
