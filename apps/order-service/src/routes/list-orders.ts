import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { OrderListQuery, OrderPage } from '@flash/contracts'
import { invalidCursor } from '../errors.ts'
import { listOrdersByUser, toOrder } from '../repositories/orders.ts'
import { BEARER, codes, problems, TAGS } from '../schemas.ts'

/** Cursors are opaque to clients: base64url of the last id seen. */
const encodeCursor = (id: number) => Buffer.from(String(id)).toString('base64url')

function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined
  const text = Buffer.from(cursor, 'base64url').toString()
  const id = /^[1-9]\d{0,15}$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(id)) throw invalidCursor()
  return id
}

export const listOrdersRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/orders',
    {
      // Before body parsing and validation: an anonymous caller learns nothing and costs little.
      onRequest: app.authenticate,
      schema: {
        tags: TAGS,
        summary: 'My orders, newest first',
        description: `Cursor pagination: pass \`next_cursor\` back as \`cursor\` until it is null.
${codes('validation_failed', 'unauthorized')}`,
        security: BEARER,
        querystring: OrderListQuery,
        response: { 200: OrderPage, ...problems(400, 401) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20
      const before = decodeCursor(request.query.cursor)
      // One extra row tells whether another page exists without a COUNT.
      const rows = await listOrdersByUser(app.db, request.user!.id, before, limit + 1)
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      return {
        data: page.map(toOrder),
        next_cursor: rows.length > limit && last ? encodeCursor(Number(last.id)) : null,
      }
    },
  )
}
