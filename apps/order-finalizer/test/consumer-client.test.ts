import { GetQueueUrlCommand, type Message } from '@aws-sdk/client-sqs'
import { Consumer } from 'sqs-consumer'
import t from 'tap'
import {
  consumerClient,
  createSqsClient,
  ensureQueues,
  SqsJsonClient,
  sendBatch,
  startSqsEmulator,
} from '@flash/queue'
import { uniqueName } from '@flash/test-kit'

// The finalizer's receive loops: sqs-consumer on the lean client through @flash/queue's adapter.
const emulator = await startSqsEmulator({ port: 0 })
t.teardown(() => emulator.stop())
const sqs = createSqsClient({ endpoint: emulator.endpoint, region: 'us-east-1' })
t.teardown(() => sqs.destroy())
const fast = new SqsJsonClient(sqs, { endpoint: emulator.endpoint })
t.teardown(() => fast.destroy())

t.test('sqs-consumer receives and deletes through the lean client', async (t) => {
  const { queueUrl } = await ensureQueues(sqs, {
    queueName: uniqueName('q'),
    dlqName: uniqueName('dlq'),
  })
  await sendBatch(fast, queueUrl, [{ MessageBody: 'x' }, { MessageBody: 'y' }])
  const seen: string[] = []
  const done = Promise.withResolvers<void>()
  const consumer = Consumer.create({
    sqs: consumerClient(fast),
    queueUrl,
    batchSize: 10,
    waitTimeSeconds: 1,
    handleMessageBatch: async (messages: Message[]) => {
      seen.push(...messages.map((m) => m.Body ?? ''))
      if (seen.length >= 2) done.resolve()
      return messages
    },
  })
  consumer.start()
  await done.promise
  await new Promise<void>((resolve) => {
    consumer.once('stopped', () => resolve())
    consumer.stop()
  })
  t.same(seen.toSorted(), ['x', 'y'])
  const again = await fast.receiveMessage({ QueueUrl: queueUrl, WaitTimeSeconds: 0, VisibilityTimeout: 0 })
  t.same(again.Messages ?? [], [], 'deleted by the consumer')
})

t.test('a command the adapter does not carry fails loudly', async (t) => {
  t.throws(() => consumerClient(fast).send(new GetQueueUrlCommand({ QueueName: 'q' }) as never), TypeError)
})
