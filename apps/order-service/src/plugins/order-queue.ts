import type { SQSClient } from '@aws-sdk/client-sqs'
import type { OrderMessage } from '@flash/contracts'
import { queueUrl as lookUp, SqsJsonClient } from '@flash/queue'
import type { FastifyInstance } from 'fastify'
import { readinessOf } from '@flash/service-kit'
import fp from 'fastify-plugin'
import { BatchSender } from './batch-sender.ts'

export interface OrderQueueOptions {
  client: SQSClient
  /** SQS_ENDPOINT: the emulator; unset in AWS. */
  endpoint: string | undefined
  queueName: string
  windowMs: number
  timeoutMs: number
  /** Destroy the client on close (false when a test lends its own). */
  ownsClient: boolean
}

export interface OrderQueue {
  /** Resolves with the SQS message id once this message is durably queued. */
  send(message: OrderMessage, requestId: string): Promise<string>
}

declare module 'fastify' {
  interface FastifyInstance {
    orderQueue: OrderQueue
  }
}

/**
 * The orders queue as order-service sees it: batched sends, the queue URL looked up once; `/ready`
 * asks it as `sqs`.
 */
export const orderQueuePlugin = fp<OrderQueueOptions>(
  async (app: FastifyInstance, { client, endpoint, queueName, windowMs, timeoutMs, ownsClient }) => {
    const lookup = () => lookUp(client, queueName, { timeoutMs })
    let cached: Promise<string> | undefined
    const queueUrl = () => {
      // A failed lookup is forgotten so the next send tries again instead of failing for ever.
      cached ??= lookup().catch((error) => {
        cached = undefined
        throw error
      })
      return cached
    }
    // The hot SendMessageBatch goes through the lean JSON-protocol client (same signer and credentials).
    const fast = new SqsJsonClient(client, { endpoint })
    const sender = new BatchSender({
      client: fast,
      queueUrl,
      windowMs,
      timeoutMs,
      onBatch: (size) => app.orderMetrics.sqsBatchSize.observe(size),
    })
    app.decorate('orderQueue', {
      send: (message: OrderMessage, requestId: string) => sender.send(JSON.stringify(message), requestId),
    })
    // GetQueueUrl: the queue exists and SQS answers.
    readinessOf(app).add('sqs', lookup)
    app.addHook('onClose', async () => {
      await sender.drain()
      await fast.destroy()
      if (ownsClient) client.destroy()
    })
  },
  { name: 'order-queue', dependencies: ['order-metrics'] },
)
