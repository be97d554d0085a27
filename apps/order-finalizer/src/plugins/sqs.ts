import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs'
import { createSqsClient, queueUrl, SqsJsonClient } from '@flash/queue'
import { readinessOf } from '@flash/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export interface FinalizerSqs {
  /** The SDK client: queue URL lookups; its signer and credentials are the JSON client's too. */
  client: SQSClient
  /** Receives, deletes and visibility changes: one lean JSON-protocol POST per call. */
  api: SqsJsonClient
}

declare module 'fastify' {
  interface FastifyInstance {
    sqs: FinalizerSqs
  }
}

export interface SqsPluginOptions {
  /** SQS_ENDPOINT: the emulator; unset in AWS. */
  endpoint: string | undefined
  region: string
  queueName: string
  dlqName: string
  /** MAX_ATTEMPTS: the deliveries the orders queue's redrive policy should allow. */
  maxAttempts: number
  /** A client the caller owns (tests): used as it is and never destroyed. */
  client?: SQSClient
}

/** The queue's maxReceiveCount as SQS has it (undefined: no redrive policy). */
async function redriveCount(client: SQSClient, name: string): Promise<number | undefined> {
  const url = await queueUrl(client, name, { timeoutMs: 1_000 })
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy'] }),
  )
  const policy = Attributes?.RedrivePolicy ? JSON.parse(Attributes.RedrivePolicy) : undefined
  return policy ? Number(policy.maxReceiveCount) : undefined
}

/**
 * The finalizer's SQS clients, closed with the app (after the consumers stopped: they are registered
 * later, and Fastify closes in reverse). `/ready` asks SQS for both queues, as `orders_queue` and
 * `dead_letter_queue`. At start it compares the queue's redrive count with MAX_ATTEMPTS.
 */
export const sqsPlugin = fp<SqsPluginOptions>(
  async (app: FastifyInstance, { endpoint, region, queueName, dlqName, maxAttempts, client: lent }) => {
    const client = lent ?? createSqsClient({ endpoint, region })
    const api = new SqsJsonClient(client, { endpoint })
    app.decorate('sqs', { client, api })
    const exists = (name: string) => () => queueUrl(client, name, { timeoutMs: 1_000 })
    readinessOf(app).add('orders_queue', exists(queueName))
    readinessOf(app).add('dead_letter_queue', exists(dlqName))
    app.addHook('onReady', () => {
      // Not awaited: a slow or absent SQS must not hold the start (readiness reports it).
      void redriveCount(client, queueName).then(
        (count) => {
          if (count !== maxAttempts)
            app.log.warn(
              { queue: queueName, max_receive_count: count ?? null, max_attempts: maxAttempts },
              'the orders queue moves messages to the DLQ after a different number of deliveries than MAX_ATTEMPTS',
            )
        },
        (err) => app.log.info({ err, queue: queueName }, 'redrive policy not checked'),
      )
    })
    app.addHook('onClose', async () => {
      await api.destroy()
      if (!lent) client.destroy()
    })
  },
  { name: 'finalizer-sqs' },
)
