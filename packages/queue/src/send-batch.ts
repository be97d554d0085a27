import type { SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs'
import { MAX_BATCH_ENTRIES, type SqsApi } from './sqs-api.ts'

/** An entry without `Id` gets its index in the input, which is unique within every chunk. */
export type BatchEntry = Omit<SendMessageBatchRequestEntry, 'Id'> & { Id?: string }

export interface BatchFailure {
  entry: SendMessageBatchRequestEntry
  code: string
  message: string
  /** True when SQS blames the entry itself (retrying it unchanged will fail again). */
  senderFault: boolean
}

export interface BatchResult {
  successful: { entry: SendMessageBatchRequestEntry; messageId: string }[]
  failed: BatchFailure[]
}

async function sendChunk(
  sqs: SqsApi,
  queueUrl: string,
  chunk: SendMessageBatchRequestEntry[],
  abortSignal: AbortSignal | undefined,
): Promise<BatchResult> {
  try {
    const out = await sqs.sendMessageBatch(
      { QueueUrl: queueUrl, Entries: chunk },
      abortSignal ? { abortSignal } : {},
    )
    const ok = new Map((out.Successful ?? []).map((s) => [s.Id, s.MessageId ?? '']))
    const bad = new Map((out.Failed ?? []).map((f) => [f.Id, f]))
    const result: BatchResult = { successful: [], failed: [] }
    for (const entry of chunk) {
      const messageId = ok.get(entry.Id)
      if (messageId !== undefined) {
        result.successful.push({ entry, messageId })
        continue
      }
      const f = bad.get(entry.Id)
      result.failed.push({
        entry,
        code: f?.Code ?? 'MissingFromResponse',
        message: f?.Message ?? 'entry neither succeeded nor failed',
        senderFault: f?.SenderFault ?? false,
      })
    }
    return result
  } catch (error) {
    // The whole call failed (network, throttling, bad request): every entry in it is unsent.
    const e = error as { name?: string; message?: string; $fault?: string }
    const failure = {
      code: e.name ?? 'Error',
      message: e.message ?? String(error),
      senderFault: e.$fault === 'client',
    }
    return { successful: [], failed: chunk.map((entry) => ({ entry, ...failure })) }
  }
}

/**
 * Sends any number of messages as SendMessageBatch calls of 10, in parallel. SQS accepts or refuses
 * each entry separately, so the result lists both sides (in input order) instead of throwing: the
 * caller decides what an unsent message means for its own state. The one place that splits batches;
 * order-service's BatchSender only decides when to send (it hands over at most 10 at a time).
 */
export async function sendBatch(
  sqs: SqsApi,
  queueUrl: string,
  entries: readonly BatchEntry[],
  options: { abortSignal?: AbortSignal } = {},
): Promise<BatchResult> {
  const withIds: SendMessageBatchRequestEntry[] = entries.map((e, i) => ({ ...e, Id: e.Id ?? String(i) }))
  const chunks: SendMessageBatchRequestEntry[][] = []
  for (let i = 0; i < withIds.length; i += MAX_BATCH_ENTRIES) {
    chunks.push(withIds.slice(i, i + MAX_BATCH_ENTRIES))
  }
  const results = await Promise.all(chunks.map((c) => sendChunk(sqs, queueUrl, c, options.abortSignal)))
  return {
    successful: results.flatMap((r) => r.successful),
    failed: results.flatMap((r) => r.failed),
  }
}
