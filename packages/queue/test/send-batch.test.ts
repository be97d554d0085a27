import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs'
import t from 'tap'
import { ensureQueues, sendBatch } from '../src/index.ts'
import { startTestSqs, uniqueQueueName } from './helpers.ts'

const { sqs } = await startTestSqs(t)

async function drain(queueUrl: string, expected: number): Promise<string[]> {
  const bodies: string[] = []
  // Bounded: at most 20 receives of up to 10 messages each.
  for (let i = 0; i < 20 && bodies.length < expected; i++) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    )
    const messages = out.Messages ?? []
    if (messages.length === 0) continue
    bodies.push(...messages.map((m) => m.Body ?? ''))
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
      }),
    )
  }
  return bodies
}

t.test('sends 25 entries in chunks of 10 and reports all successful', async (t) => {
  const { queueUrl } = await ensureQueues(sqs, {
    queueName: uniqueQueueName('batch'),
    dlqName: uniqueQueueName('batch-dlq'),
  })
  const entries = Array.from({ length: 25 }, (_, i) => ({ MessageBody: `m-${i}` }))
  const result = await sendBatch(sqs, queueUrl, entries)
  t.equal(result.failed.length, 0)
  t.equal(result.successful.length, 25)
  t.same(
    result.successful.map((s) => s.entry.MessageBody),
    entries.map((e) => e.MessageBody),
    'results keep input order',
  )
  t.equal(new Set(result.successful.map((s) => s.messageId)).size, 25, 'one message id each')
  const bodies = await drain(queueUrl, 25)
  t.same(bodies.sort(), entries.map((e) => e.MessageBody).sort())
})

t.test('reports the one refused entry of a batch and sends the rest', async (t) => {
  const { queueUrl } = await ensureQueues(sqs, {
    queueName: uniqueQueueName('partial'),
    dlqName: uniqueQueueName('partial-dlq'),
  })
  const entries = Array.from({ length: 12 }, (_, i) => ({
    Id: `e${i}`,
    // U+0000 is outside the characters SQS allows in a body.
    MessageBody: i === 4 ? 'bad\u0000body' : `ok-${i}`,
  }))
  const result = await sendBatch(sqs, queueUrl, entries)
  t.equal(result.successful.length, 11)
  t.equal(result.failed.length, 1)
  t.equal(result.failed[0]?.entry.Id, 'e4')
  t.ok(result.failed[0]?.senderFault, 'the sender is at fault')
  t.equal((await drain(queueUrl, 11)).length, 11)
})

t.test('a call that fails as a whole reports each of its entries', async (t) => {
  const missing = `http://127.0.0.1/000000000000/${uniqueQueueName('missing')}`
  const result = await sendBatch(sqs, missing, [{ MessageBody: 'a' }, { MessageBody: 'b' }])
  t.equal(result.successful.length, 0)
  t.same(
    result.failed.map((f) => f.entry.Id),
    ['0', '1'],
  )
  t.ok(result.failed.every((f) => f.code.length > 0))
})
