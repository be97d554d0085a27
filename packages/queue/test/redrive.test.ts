import {
  ChangeMessageVisibilityCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs'
import t from 'tap'
import { ensureQueues } from '../src/index.ts'
import { startTestSqs, uniqueQueueName } from './helpers.ts'

const { sqs } = await startTestSqs(t)

async function receiveOne(client: SQSClient, queueUrl: string) {
  const out = await client.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
  )
  return out.Messages?.[0]
}

t.test('a message received maxReceiveCount times without delete lands in the DLQ', async (t) => {
  const maxReceiveCount = 2
  const queues = await ensureQueues(sqs, {
    queueName: uniqueQueueName('redrive'),
    dlqName: uniqueQueueName('redrive-dlq'),
    maxReceiveCount,
    visibilityTimeoutSeconds: 1,
  })
  await sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: 'poison' }))

  // Each failed attempt hands the message straight back (visibility 0) instead of waiting it out.
  let receives = 0
  for (let i = 0; i < 10; i++) {
    const message = await receiveOne(sqs, queues.queueUrl)
    if (!message) {
      if (receives >= maxReceiveCount) break
      continue
    }
    receives++
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queues.queueUrl,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    )
  }
  t.equal(receives, maxReceiveCount, 'delivered exactly maxReceiveCount times')

  let dead: Awaited<ReturnType<typeof receiveOne>>
  for (let i = 0; i < 5 && !dead; i++) dead = await receiveOne(sqs, queues.dlqUrl)
  t.equal(dead?.Body, 'poison')
})
