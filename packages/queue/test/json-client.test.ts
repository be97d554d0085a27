import {
  DeleteMessageBatchCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs'
import t from 'tap'
import { ensureQueues, SqsJsonClient, sendBatch } from '../src/index.ts'
import { startTestSqs, uniqueQueueName } from './helpers.ts'

const { emulator, sqs } = await startTestSqs(t)
const fast = new SqsJsonClient(sqs, { endpoint: emulator.endpoint })
t.teardown(() => fast.destroy())

t.test('send, receive with attributes and delete: the same shapes as the SDK', async (t) => {
  const { queueUrl } = await ensureQueues(sqs, {
    queueName: uniqueQueueName('q'),
    dlqName: uniqueQueueName('dlq'),
  })
  await fast.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: 'hello',
      MessageAttributes: { request_id: { DataType: 'String', StringValue: 'r-1' } },
    }),
  )
  const sent = await sendBatch(fast.asSqsClient(), queueUrl, [{ MessageBody: 'a' }, { MessageBody: 'b' }])
  t.equal(sent.successful.length, 2)
  const got = (await fast.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      MessageAttributeNames: ['All'],
    }),
  )) as {
    Messages?: {
      Body?: string
      ReceiptHandle?: string
      Attributes?: Record<string, string>
      MessageAttributes?: Record<string, { StringValue?: string }>
    }[]
  }
  const messages = got.Messages ?? []
  t.same(messages.map((m) => m.Body).toSorted(), ['a', 'b', 'hello'])
  t.ok(messages.every((m) => m.Attributes?.ApproximateReceiveCount === '1'))
  t.equal(messages.find((m) => m.Body === 'hello')?.MessageAttributes?.request_id?.StringValue, 'r-1')
  const deleted = (await fast.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
    }),
  )) as { Successful?: unknown[] }
  t.equal(deleted.Successful?.length, 3)
})

t.test('errors carry the SQS error name, fault and status', async (t) => {
  await t.rejects(
    fast.send(
      new SendMessageCommand({ QueueUrl: `${emulator.endpoint}/000000000000/missing`, MessageBody: 'x' }),
    ),
    { name: /QueueDoesNotExist|NonExistentQueue/, $fault: 'client', $metadata: { httpStatusCode: 400 } },
  )
})

t.test('commands without a queue URL go through the SDK when there is no endpoint', async (t) => {
  const name = uniqueQueueName('q')
  await ensureQueues(sqs, { queueName: name, dlqName: uniqueQueueName('dlq') })
  const viaSdk = new SqsJsonClient(sqs)
  const out = (await viaSdk.send(new GetQueueUrlCommand({ QueueName: name }))) as { QueueUrl?: string }
  t.match(out.QueueUrl, new RegExp(`/${name}$`))
  await viaSdk.destroy()
})
