// The ceiling the intake is judged against (DESIGN §3): a bare Fastify POST with the same body schema.
import { CreateOrderBody } from '@flash/contracts'
import Fastify from 'fastify'

const app = Fastify({ logger: false })
app.get('/health', async () => ({ status: 'ok' }))
app.post('/api/orders', { schema: { body: CreateOrderBody } }, async (_request, reply) =>
  reply.code(409).send({ code: 'out_of_stock' }),
)
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) })
