import { ReceiveMessageCommand } from '@aws-sdk/client-sqs'
import { createSqsClient, ensureQueues, SqsJsonClient, startSqsEmulator } from '@flash/queue'
import { uniqueName } from '@flash/test-kit'
import t from 'tap'
import { DependencyError } from '../src/errors.ts'
import { BatchSender } from '../src/plugins/batch-sender.ts'

const emulator = await startSqsEmulator({ port: 0 })
t.teardown(() => emulator.stop())
const sqs = createSqsClient({ endpoint: emulator.endpoint, region: 'us-east-1' })
t.teardown(() => sqs.destroy())
// What order-service sends with: the lean JSON-protocol client.
const fast = new SqsJsonClient(sqs, { endpoint: emulator.endpoint })
t.teardown(() => fast.destroy())

async function drain(queueUrl: string) {
  const bodies: { body: string; requestId: string | undefined }[] = []
  for (let i = 0; i < 20; i++) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    )
    if (Messages.length === 0) break
    for (const m of Messages)
      bodies.push({ body: m.Body!, requestId: m.MessageAttributes?.request_id?.StringValue })
  }
  return bodies
}

t.test('concurrent sends share SendMessageBatch calls and each caller gets its own id', async (t) => {
  const { queueUrl } = await ensureQueues(sqs, { queueName: uniqueName('q'), dlqName: uniqueName('dlq') })
  const sizes: number[] = []
  const sender = new BatchSender({
    client: fast,
    queueUrl: async () => queueUrl,
    windowMs: 5,
    timeoutMs: 2_000,
    onBatch: (size) => sizes.push(size),
  })
  const ids = await Promise.all(Array.from({ length: 25 }, (_, i) => sender.send(`m${i}`, `req-${i}`)))
  t.equal(new Set(ids).size, 25, 'distinct message ids')
  t.same(
    sizes.toSorted((a, b) => a - b),
    [5, 10, 10],
    'two full batches sent at once, the rest after the window',
  )
  const received = await drain(queueUrl)
  t.same(
    received.map((r) => `${r.body}/${r.requestId}`).toSorted(),
    Array.from({ length: 25 }, (_, i) => `m${i}/req-${i}`).toSorted(),
    'every body arrives once with its request id attribute',
  )
})

t.test('a queue that cannot be resolved rejects every caller with a DependencyError', async (t) => {
  let lookups = 0
  const sender = new BatchSender({
    client: fast,
    queueUrl: async () => {
      lookups++
      throw new Error('queue does not exist')
    },
    windowMs: 1,
    timeoutMs: 500,
  })
  const results = await Promise.allSettled([sender.send('a', 'r1'), sender.send('b', 'r2')])
  t.same(
    results.map((r) => r.status === 'rejected' && r.reason instanceof DependencyError),
    [true, true],
  )
  t.equal(lookups, 1, 'one batch, one lookup')
})

t.test('a refused call rejects its callers', async (t) => {
  const sender = new BatchSender({
    client: fast,
    queueUrl: async () => `${emulator.endpoint}/000000000000/missing`,
    windowMs: 1,
    timeoutMs: 500,
  })
  await t.rejects(sender.send('a', 'r1'), DependencyError)
})

t.test('drain sends what is queued before closing', async (t) => {
  const { queueUrl } = await ensureQueues(sqs, { queueName: uniqueName('q'), dlqName: uniqueName('dlq') })
  const sender = new BatchSender({
    // The SDK client implements the same SqsApi: BatchSender does not care which it is given.
    client: sqs,
    queueUrl: async () => queueUrl,
    windowMs: 60_000,
    timeoutMs: 2_000,
  })
  const pending = sender.send('late', 'r')
  await sender.drain()
  t.ok(await pending, 'resolved by drain, not by the 60 s window')
  t.equal((await drain(queueUrl)).length, 1)
})
