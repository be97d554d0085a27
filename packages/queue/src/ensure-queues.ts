import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type SQSClient,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs'
import { queueUrl as lookUp } from './queue-url.ts'

export interface QueueSetup {
  queueName: string
  dlqName: string
  /** Deliveries before SQS moves a message to the DLQ; must equal the consumer's attempt budget. */
  maxReceiveCount?: number
  /** Must exceed the worst-case handling time, or two consumers may hold the same message. */
  visibilityTimeoutSeconds?: number
  /** 14 days, the SQS maximum: the DLQ must keep messages long enough for a human to look. */
  retentionSeconds?: number
}

export interface EnsuredQueues {
  queueUrl: string
  dlqUrl: string
  dlqArn: string
}

/** SQS names it `QueueNameExists`; emulators and the query protocol prefix it (`AWS.SimpleQueueService.…`). */
function isQueueNameExists(error: unknown): boolean {
  const e = error as { name?: string; Code?: string } | null
  return /QueueNameExists|QueueAlreadyExists/.test(`${e?.name ?? ''} ${e?.Code ?? ''}`)
}

/**
 * CreateQueue is idempotent only while the attributes are unchanged; when they differ SQS refuses, so
 * the existing queue is updated instead — every start converges on the configured settings.
 */
async function createOrUpdate(sqs: SQSClient, name: string, attributes: Record<string, string>) {
  try {
    const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))
    if (!out.QueueUrl) throw new Error(`CreateQueue ${name} returned no QueueUrl`)
    return out.QueueUrl
  } catch (error) {
    if (!isQueueNameExists(error)) throw error
    const QueueUrl = await lookUp(sqs, name)
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }))
    return QueueUrl
  }
}

/** Creates (or converges) the dead-letter queue, then the main queue redriving into it. */
export async function ensureQueues(
  sqs: SQSClient,
  {
    queueName,
    dlqName,
    maxReceiveCount = 3,
    visibilityTimeoutSeconds = 60,
    retentionSeconds = 1_209_600,
  }: QueueSetup,
): Promise<EnsuredQueues> {
  const retention = String(retentionSeconds)
  const dlqUrl = await createOrUpdate(sqs, dlqName, { MessageRetentionPeriod: retention })
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  )
  const dlqArn = attrs.Attributes?.QueueArn
  if (!dlqArn) throw new Error(`GetQueueAttributes ${dlqName} returned no QueueArn`)
  const queueUrl = await createOrUpdate(sqs, queueName, {
    VisibilityTimeout: String(visibilityTimeoutSeconds),
    MessageRetentionPeriod: retention,
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
  })
  return { queueUrl, dlqUrl, dlqArn }
}
