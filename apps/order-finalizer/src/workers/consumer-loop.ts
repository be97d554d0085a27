import type { Message, SQSClient } from '@aws-sdk/client-sqs'
import type { FastifyBaseLogger } from 'fastify'
import { Consumer } from 'sqs-consumer'

export interface LoopOptions {
  sqs: SQSClient
  queueUrl: string
  handle: (messages: Message[]) => Promise<Message[]>
  visibilityTimeout: number
  waitTimeSeconds: number
  /** Pause after an empty or partial receive (0 for the orders queue, DLQ_POLL_MS for the DLQ). */
  idleWaitMs: number
  graceMs: number
  log: FastifyBaseLogger
}

const MAX_ERROR_WAIT_MS = 5_000

/**
 * One sqs-consumer receive loop (batches of 10). A full batch is followed by the next receive at
 * once, anything else by `idleWaitMs`. While SQS itself fails, the loop backs off (0.1 s doubling to
 * 5 s) instead of spinning on a dead endpoint, and logs when that starts rather than every attempt.
 */
export function createLoop(options: LoopOptions): Consumer {
  const { log, idleWaitMs } = options
  let errorWaitMs = 0
  const consumer: Consumer = Consumer.create({
    sqs: options.sqs,
    queueUrl: options.queueUrl,
    batchSize: 10,
    waitTimeSeconds: options.waitTimeSeconds,
    visibilityTimeout: options.visibilityTimeout,
    pollingWaitTimeMs: idleWaitMs,
    pollingCompleteWaitTimeMs: options.graceMs,
    messageSystemAttributeNames: ['ApproximateReceiveCount'],
    messageAttributeNames: ['request_id'],
    suppressFifoWarning: true,
    handleMessageBatch: async (messages) => {
      consumer.updateOption('pollingWaitTimeMs', messages.length === 10 ? 0 : idleWaitMs)
      return options.handle(messages)
    },
  })
  const recovered = () => {
    if (errorWaitMs === 0) return
    log.info({ queue_url: options.queueUrl }, 'SQS answers again')
    errorWaitMs = 0
    consumer.updateOption('pollingWaitTimeMs', idleWaitMs)
  }
  consumer.on('empty', recovered)
  consumer.on('response_processed', recovered)
  consumer.on('error', (err, messages) => {
    if (messages) return log.warn({ err }, 'SQS call about received messages failed')
    if (errorWaitMs === 0) log.warn({ err, queue_url: options.queueUrl }, 'SQS receive failing; backing off')
    errorWaitMs = Math.min(MAX_ERROR_WAIT_MS, Math.max(100, errorWaitMs * 2))
    consumer.updateOption('pollingWaitTimeMs', errorWaitMs)
  })
  consumer.on('processing_error', (err) => log.error({ err }, 'handler error'))
  return consumer
}

/** Resolves once the loop has stopped (its in-flight batch finished), or after `graceMs`. */
export function stopLoop(consumer: Consumer, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, graceMs)
    consumer.once('stopped', () => {
      clearTimeout(timer)
      resolve()
    })
    consumer.stop()
  })
}
