import t from 'tap'
import { ensureQueues, type SqsApi, SqsJsonClient, sendBatch } from '../src/index.ts'
import { startTestSqs, uniqueQueueName } from './helpers.ts'

const { emulator, sqs } = await startTestSqs(t)
const fast = new SqsJsonClient(sqs, { endpoint: emulator.endpoint })
t.teardown(() => fast.destroy())

// The lean JSON client and the SDK client implement the same SqsApi: the same script must pass on both.
for (const [name, api] of [
  ['SqsJsonClient', fast],
  ['SDK client', sqs],
] as [string, SqsApi][]) {
  t.test(`${name}: send, receive with attributes, hand back, delete`, async (t) => {
    const { queueUrl } = await ensureQueues(sqs, {
      queueName: uniqueQueueName('q'),
      dlqName: uniqueQueueName('dlq'),
    })
    const sent = await sendBatch(api, queueUrl, [
      { MessageBody: 'a', MessageAttributes: { request_id: { DataType: 'String', StringValue: 'r-1' } } },
      { MessageBody: 'b' },
    ])
    t.equal(sent.successful.length, 2)
    const receive = () =>
      api.receiveMessage({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        MessageAttributeNames: ['All'],
      })
    let messages = (await receive()).Messages ?? []
    t.same(messages.map((m) => m.Body).toSorted(), ['a', 'b'])
    t.ok(messages.every((m) => m.Attributes?.ApproximateReceiveCount === '1'))
    t.equal(messages.find((m) => m.Body === 'a')?.MessageAttributes?.request_id?.StringValue, 'r-1')

    const visible = await api.changeMessageVisibilityBatch({
      QueueUrl: queueUrl,
      Entries: messages.map((m, i) => ({
        Id: String(i),
        ReceiptHandle: m.ReceiptHandle!,
        VisibilityTimeout: 0,
      })),
    })
    t.equal(visible.Successful?.length, 2, 'handed back at once')
    messages = (await receive()).Messages ?? []
    t.ok(
      messages.length === 2 && messages.every((m) => m.Attributes?.ApproximateReceiveCount === '2'),
      'redelivered',
    )

    const deleted = await api.deleteMessageBatch({
      QueueUrl: queueUrl,
      Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
    })
    t.equal(deleted.Successful?.length, 2)
    t.same((await receive()).Messages ?? [], [], 'nothing left')
  })
}

t.test('errors carry the SQS error name, fault and status', async (t) => {
  await t.rejects(fast.receiveMessage({ QueueUrl: `${emulator.endpoint}/000000000000/missing` }), {
    name: /QueueDoesNotExist|NonExistentQueue/,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  })
})
