import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs'

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

/** SendMessageBatch's limit per call. */
const CHUNK = 10

async function sendChunk(
  sqs: SQSClient,
  queueUrl: string,
  chunk: SendMessageBatchRequestEntry[],
  abortSignal: AbortSignal | undefined,
): Promise<BatchResult> {
  try {
    const out = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk }),
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
 * caller decides what an unsent message means for its own state.
 */
export async function sendBatch(
  sqs: SQSClient,
  queueUrl: string,
  entries: readonly BatchEntry[],
  options: { abortSignal?: AbortSignal } = {},
): Promise<BatchResult> {
  const withIds: SendMessageBatchRequestEntry[] = entries.map((e, i) => ({ ...e, Id: e.Id ?? String(i) }))
  const chunks: SendMessageBatchRequestEntry[][] = []
  for (let i = 0; i < withIds.length; i += CHUNK) chunks.push(withIds.slice(i, i + CHUNK))
  const results = await Promise.all(chunks.map((c) => sendChunk(sqs, queueUrl, c, options.abortSignal)))
  return {
    successful: results.flatMap((r) => r.successful),
    failed: results.flatMap((r) => r.failed),
  }
}
