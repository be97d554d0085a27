// The reference of the speed targets' ratios (docs/benchmarks.md): a bare Fastify 5 POST handler with the same JSON body schema as
// POST /api/orders, answering 409 like a sold-out order, no auth, no I/O. Run as its own process by the
// bench: `HOST=127.0.0.1 PORT=… node tools/src/bench/baseline-server.ts`.
import { CreateOrderBody } from '@flash/contracts'
import Fastify from 'fastify'

const app = Fastify({ logger: false })
app.get('/health', async () => ({ status: 'ok' }))
app.post('/api/orders', { schema: { body: CreateOrderBody } }, async (_request, reply) =>
  reply.code(409).send({ code: 'out_of_stock' }),
)
await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) })

const close = async () => {
  await app.close()
  process.exit(0)
}
process.once('SIGTERM', close)
process.once('SIGINT', close)
