// One variant of bench/hooks.ts: builds the app with the first N pieces and reports its port.
import Fastify, { type FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { errorHandlerPlugin, sendProblem } from '../src/error-handler.ts'
import { lazyChildLogger, loggerOptions } from '../src/logger.ts'
import { metricsPlugin } from '../src/metrics.ts'
import { requestIdPlugin } from '../src/request-id.ts'
import { RequestLog } from '../src/request-log.ts'
import { sheddingPlugin } from '../src/shedding.ts'
import { DEFAULT_REQUEST_LOG, DEFAULT_SHEDDING } from '../src/create-app.ts'
import { validatorCompiler } from '../src/validation.ts'

const variant = Number(process.argv[2])
const logger = variant === 0 ? false : loggerOptions('bench', 'info')
const app: FastifyInstance = Fastify({
  logger,
  ...(variant >= 2
    ? { logController: new RequestLog(DEFAULT_REQUEST_LOG), childLoggerFactory: lazyChildLogger }
    : {}),
})
app.setValidatorCompiler(validatorCompiler())
if (variant >= 3) await app.register(requestIdPlugin)
if (variant >= 4) await app.register(errorHandlerPlugin)
if (variant >= 5) await app.register(sheddingPlugin, DEFAULT_SHEDDING)
if (variant >= 6) await app.register(metricsPlugin, { service: 'bench' })
const schema = {
  body: Type.Object(
    { product_id: Type.Integer(), quantity: Type.Integer() },
    { additionalProperties: false },
  ),
}
app.post('/api/orders', { schema }, async (_request, reply) => {
  if (variant < 4) return reply.code(409).send({ code: 'out_of_stock' })
  return sendProblem(reply, { title: 'Out of stock', status: 409, detail: 'Sold out', code: 'out_of_stock' })
})
await app.listen({ host: '127.0.0.1', port: 0 })
process.send?.((app.server.address() as { port: number }).port)
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)))
