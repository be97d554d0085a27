import { loadConfig } from '@flash/config'
import { OrdersQueueEnv, ordersQueueSetup } from '@flash/order-finalizer'
import { createSqsClient, type EnsuredQueues, ensureQueues, startSqsEmulator } from '@flash/queue'
import type { Env } from './plan.ts'
import { assertPortFree } from './ports.ts'

export interface SqsSetup {
  endpoint: string
  queues: EnsuredQueues
  /** Stops the emulator if this setup started one. */
  stop(): Promise<void>
}

/**
 * Uses `endpoint` if given, else starts the emulator on `port`; then creates the orders queue and its
 * DLQ as the finalizer's environment describes them (its attempt budget is the redrive count, its
 * visibility timeout the queue's), so queue and consumer cannot disagree.
 */
export async function setUpSqs(opts: {
  endpoint?: string
  port: number
  host: string
  env: Env
}): Promise<SqsSetup> {
  // Validated as the finalizer validates them: a bad MAX_ATTEMPTS stops here, naming the variable.
  const queue = loadConfig(OrdersQueueEnv, opts.env)
  let endpoint = opts.endpoint
  let stop = async () => {}
  if (!endpoint) {
    if (opts.port !== 0) await assertPortFree(opts.port, opts.host, 'the SQS emulator')
    const emulator = await startSqsEmulator({ port: opts.port, host: opts.host })
    endpoint = emulator.endpoint
    stop = () => emulator.stop()
  }
  const sqs = createSqsClient({ endpoint, region: queue.AWS_REGION })
  try {
    const queues = await ensureQueues(sqs, ordersQueueSetup(queue))
    return { endpoint, queues, stop }
  } catch (error) {
    await stop()
    throw error
  } finally {
    sqs.destroy()
  }
}
