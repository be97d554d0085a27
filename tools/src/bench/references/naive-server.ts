// The naive synchronous design the flash-sale numbers are compared with: every order is one MySQL
// transaction on the hot row — BEGIN; SELECT stock … FOR UPDATE; UPDATE products; INSERT order; COMMIT —
// with the same local token verification as our services; its product page reads the stock it keeps
// (MySQL: it has no Redis), which the engine's audit reads (--stock-url). Run by the bench:
// `DATABASE_URL=… AUTH_JWKS_URL=… PORT=… node tools/src/bench/naive-server.ts`.
import { CreateOrderBody } from '@flash/contracts'
import { createDb, newUuid } from '@flash/db'
import { InvalidTokenError, TokenVerifier } from '@flash/service-kit'
import Fastify from 'fastify'
import { sql } from 'kysely'

const env = process.env
const db = createDb({ url: env.DATABASE_URL!, poolSize: Number(env.DB_POOL_SIZE ?? 50) })
const verifier = new TokenVerifier({
  jwksUrl: env.AUTH_JWKS_URL!,
  issuer: env.JWT_ISSUER ?? 'flash-sale-auth',
  audience: env.JWT_AUDIENCE ?? 'flash-sale-api',
})

interface Body {
  product_id: number
  quantity: number
}

const app = Fastify({ logger: false })
app.get('/health', async () => ({ status: 'ok' }))
app.get<{ Params: { id: string } }>('/api/products/:id', async (request, reply) => {
  const product = await db
    .selectFrom('products')
    .select(['id', 'name', 'price_cents', 'stock', 'max_per_user'])
    .where('id', '=', Number(request.params.id))
    .executeTakeFirst()
  return product ?? reply.code(404).send({ code: 'product_not_found' })
})
app.post<{ Body: Body }>('/api/orders', { schema: { body: CreateOrderBody } }, async (request, reply) => {
  const auth = request.headers.authorization
  let userId: number
  try {
    if (!auth?.startsWith('Bearer ')) throw new InvalidTokenError('no bearer token')
    userId = (await verifier.verify(auth.slice(7))).id
  } catch {
    return reply.code(401).send({ code: 'unauthorized' })
  }
  const { product_id: productId, quantity } = request.body
  const outcome = await db.transaction().execute(async (trx) => {
    const product = await trx
      .selectFrom('products')
      .select(['stock', 'price_cents'])
      .where('id', '=', productId)
      .forUpdate()
      .executeTakeFirst()
    if (!product) return { status: 404, body: { code: 'product_not_found' } }
    if (product.stock < quantity) return { status: 409, body: { code: 'out_of_stock' } }
    await trx
      .updateTable('products')
      .set({ stock: sql`stock - ${quantity}` })
      .where('id', '=', productId)
      .execute()
    const orderUuid = newUuid()
    await trx
      .insertInto('orders')
      .values({
        order_uuid: orderUuid,
        user_id: userId,
        product_id: productId,
        quantity,
        total_price_cents: product.price_cents * quantity,
        status: 'completed',
        reservation_id: newUuid(),
      })
      .execute()
    return { status: 201, body: { order_uuid: orderUuid, status: 'completed' } }
  })
  return reply.code(outcome.status).send(outcome.body)
})

await app.listen({ host: env.HOST ?? '127.0.0.1', port: Number(env.PORT ?? 0) })

const close = async () => {
  await app.close()
  await db.destroy()
  process.exit(0)
}
process.once('SIGTERM', close)
process.once('SIGINT', close)
