import { MAX_BATCH_ENTRIES, type SqsApi, sendBatch } from '@flash/queue'
import { Batches } from '@flash/service-kit'
import { DependencyError } from '../errors.ts'

export interface BatchSenderOptions {
  /** SqsJsonClient in the service: SendMessageBatch without the SDK's middleware cost. */
  client: SqsApi
  /** Resolved once and cached; a failure is retried on the next send. */
  queueUrl: () => Promise<string>
  /** How long the first message of a batch waits for company (SendMessageBatch takes 10). */
  windowMs: number
  timeoutMs: number
  onBatch?: (size: number, failed: number) => void
}

interface Pending {
  body: string
  requestId: string
  resolve: (messageId: string) => void
  reject: (error: Error) => void
}

/**
 * Coalesces concurrent sends into SendMessageBatch calls: SQS (and the emulator) cost about the
 * same per call whether it carries 1 or 10 messages, so batching multiplies accepted orders/s. Each
 * caller awaits its own entry; a batch-level failure or a per-entry failure rejects only the callers
 * it concerns, so the intake can compensate exactly those orders. A batch goes when full or when the
 * window elapsed (service-kit's `Batches`); `sendBatch` sends it and reports each entry's fate.
 */
export class BatchSender {
  readonly #options: BatchSenderOptions
  readonly #batches: Batches<Pending>

  constructor(options: BatchSenderOptions) {
    this.#options = options
    this.#batches = new Batches({
      send: (batch) => this.#sendBatch(batch),
      maxItems: MAX_BATCH_ENTRIES,
      maxInFlight: Number.POSITIVE_INFINITY,
      window: options.windowMs,
    })
  }

  send(body: string, requestId: string): Promise<string> {
    return new Promise<string>((resolve, reject) => this.#batches.add({ body, requestId, resolve, reject }))
  }

  /** Sends whatever is queued and waits for every batch still on the wire. */
  drain(): Promise<void> {
    return this.#batches.drain()
  }

  async #sendBatch(batch: Pending[]): Promise<void> {
    let queueUrl: string
    try {
      queueUrl = await this.#options.queueUrl()
    } catch (error) {
      for (const p of batch) p.reject(new DependencyError('sqs', (error as Error).message, error))
      this.#options.onBatch?.(batch.length, batch.length)
      return
    }
    const entries = batch.map((p) => ({
      MessageBody: p.body,
      MessageAttributes: { request_id: { DataType: 'String', StringValue: p.requestId } },
    }))
    const out = await sendBatch(this.#options.client, queueUrl, entries, {
      abortSignal: AbortSignal.timeout(this.#options.timeoutMs),
    })
    // Ids are the indexes in `entries`, so each caller learns the fate of its own message.
    for (const ok of out.successful) batch[Number(ok.entry.Id)]?.resolve(ok.messageId)
    for (const bad of out.failed) {
      batch[Number(bad.entry.Id)]?.reject(new DependencyError('sqs', `${bad.code}: ${bad.message}`))
    }
    this.#options.onBatch?.(batch.length, out.failed.length)
  }
}
