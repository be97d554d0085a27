import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  PurgeQueueCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs'
import { type SqsClient, sendBatch } from '@flash/queue'

export interface PeekedMessage {
  message_id: string
  receive_count: number
  sent_at: string | null
  request_id: string | null
  body: string
}

/** Receives up to `max` messages, each hidden for `holdSeconds` so one pass never sees a message twice. */
async function receiveAll(
  sqs: SqsClient,
  queueUrl: string,
  max: number,
  holdSeconds: number,
): Promise<Message[]> {
  const out: Message[] = []
  // Bounded by `max`, and by an empty receive: never loops on its own.
  while (out.length < max) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, max - out.length),
        VisibilityTimeout: holdSeconds,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        MessageAttributeNames: ['All'],
      }),
    )
    if (Messages.length === 0) break
    out.push(...Messages)
  }
  return out
}

function chunks<T>(items: T[], size = 10): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * Shows DLQ messages without consuming them: they are received (hidden briefly) and immediately made
 * visible again. Receiving counts as a delivery, so ApproximateReceiveCount grows by one per look.
 */
export async function listDlq(sqs: SqsClient, dlqUrl: string, max = 100): Promise<PeekedMessage[]> {
  const messages = await receiveAll(sqs, dlqUrl, max, 30)
  for (const chunk of chunks(messages)) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: dlqUrl,
        Entries: chunk.map((m, i) => ({
          Id: String(i),
          ReceiptHandle: m.ReceiptHandle!,
          VisibilityTimeout: 0,
        })),
      }),
    )
  }
  return messages.map((m) => ({
    message_id: m.MessageId ?? '',
    receive_count: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
    sent_at: m.Attributes?.SentTimestamp ? new Date(Number(m.Attributes.SentTimestamp)).toISOString() : null,
    request_id: m.MessageAttributes?.request_id?.StringValue ?? null,
    body: m.Body ?? '',
  }))
}

/**
 * Moves DLQ messages back to the orders queue (body and attributes kept) for another round of
 * attempts. Each message is deleted from the DLQ only after the main queue accepted its copy, so a
 * failure can duplicate a message but never lose one; the finalizer is exactly-once either way.
 */
export async function replayDlq(sqs: SqsClient, dlqUrl: string, queueUrl: string, max = 1_000) {
  const messages = await receiveAll(sqs, dlqUrl, max, 60)
  const sent = await sendBatch(
    sqs,
    queueUrl,
    messages.map((m, i) => ({
      Id: String(i),
      MessageBody: m.Body ?? '',
      ...(m.MessageAttributes ? { MessageAttributes: m.MessageAttributes } : {}),
    })),
  )
  const moved = sent.successful.map((s) => messages[Number(s.entry.Id)]!)
  for (const chunk of chunks(moved)) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: dlqUrl,
        Entries: chunk.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    )
  }
  return { replayed: moved.length, failed: sent.failed.length }
}

export async function purgeDlq(sqs: SqsClient, dlqUrl: string): Promise<void> {
  await sqs.send(new PurgeQueueCommand({ QueueUrl: dlqUrl }))
}
