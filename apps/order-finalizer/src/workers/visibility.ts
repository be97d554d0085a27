import type { Message } from '@aws-sdk/client-sqs'
import { MAX_BATCH_ENTRIES, type SqsApi } from '@flash/queue'
import type { FastifyBaseLogger } from 'fastify'

/**
 * Hands messages back to SQS, each invisible for its own number of seconds: the retry backoff (or,
 * in the DLQ, how long a poison message is left alone). Best effort: if this call fails the message
 * simply reappears when its receive visibility runs out.
 */
export async function setVisibility(
  sqs: SqsApi,
  queueUrl: string,
  items: { message: Message; seconds: number }[],
  log: FastifyBaseLogger,
): Promise<void> {
  for (let i = 0; i < items.length; i += MAX_BATCH_ENTRIES) {
    const chunk = items.slice(i, i + MAX_BATCH_ENTRIES)
    try {
      const out = await sqs.changeMessageVisibilityBatch({
        QueueUrl: queueUrl,
        Entries: chunk.map(({ message, seconds }, j) => ({
          Id: String(j),
          ReceiptHandle: message.ReceiptHandle!,
          VisibilityTimeout: seconds,
        })),
      })
      if (out.Failed?.length) log.warn({ failed: out.Failed }, 'some visibility changes failed')
    } catch (error) {
      log.warn({ err: error }, 'could not change message visibility')
    }
  }
}
