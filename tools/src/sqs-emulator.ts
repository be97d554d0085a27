// The SQS emulator as a process, for containers: `node tools/src/sqs-emulator.ts`.
// SQS_HOST (default 127.0.0.1; 0.0.0.0 in a container), SQS_PORT (4566). It also creates the orders
// queue and its DLQ from the finalizer's own variables (ORDERS_QUEUE_NAME, ORDERS_DLQ_NAME,
// MAX_ATTEMPTS, VISIBILITY_TIMEOUT_SECONDS: its ordersQueueEnv), so services can start against it at
// once. Stops on SIGINT/SIGTERM.
import { loadConfig } from '@flash/config'
import { ordersQueueEnv, ordersQueueSetup } from '@flash/order-finalizer'
import { createSqsClient, ensureQueues, startSqsEmulator } from '@flash/queue'
import { Type } from 'typebox'

const config = loadConfig(
  Type.Object({
    SQS_HOST: Type.String({ default: '127.0.0.1' }),
    SQS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4566 }),
    ...ordersQueueEnv,
  }),
  process.env,
)

const emulator = await startSqsEmulator({ port: config.SQS_PORT, host: config.SQS_HOST })
const sqs = createSqsClient({ endpoint: emulator.endpoint, region: config.AWS_REGION })
const queues = await ensureQueues(sqs, ordersQueueSetup(config))
sqs.destroy()
console.log(
  JSON.stringify({ msg: 'sqs emulator ready', host: config.SQS_HOST, port: emulator.port, ...queues }),
)

const shutdown = async () => {
  await emulator.stop()
  process.exit(0)
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
