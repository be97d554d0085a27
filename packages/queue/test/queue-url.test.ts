import t from 'tap'
import { ensureQueues, queueUrl } from '../src/index.ts'
import { startTestSqs, uniqueQueueName } from './helpers.ts'

const { sqs } = await startTestSqs(t)

t.test('resolves an existing queue and refuses a missing one', async (t) => {
  const name = uniqueQueueName('q')
  const queues = await ensureQueues(sqs, { queueName: name, dlqName: uniqueQueueName('dlq') })
  t.equal(await queueUrl(sqs, name, { timeoutMs: 2_000 }), queues.queueUrl)
  await t.rejects(queueUrl(sqs, uniqueQueueName('missing')))
})
