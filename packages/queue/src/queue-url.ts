import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs'

/**
 * The URL of a queue by name (GetQueueUrl). Every caller resolves it this way, at start or per
 * readiness check: the queue must exist already (`ensureQueues`); a missing URL is an error here
 * rather than an `undefined` that fails later and elsewhere.
 */
export async function queueUrl(sqs: SQSClient, name: string, options: { timeoutMs?: number } = {}) {
  const { QueueUrl } = await sqs.send(
    new GetQueueUrlCommand({ QueueName: name }),
    options.timeoutMs === undefined ? {} : { abortSignal: AbortSignal.timeout(options.timeoutMs) },
  )
  if (!QueueUrl) throw new Error(`GetQueueUrl ${name} returned no QueueUrl`)
  return QueueUrl
}
