import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs'
import t from 'tap'
import { ensureQueues } from '../src/index.ts'
import { startTestSqs, uniqueQueueName } from './helpers.ts'

const { sqs } = await startTestSqs(t)

async function attributesOf(queueUrl: string) {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }))
  return out.Attributes ?? {}
}

t.test('creates the DLQ and a main queue that redrives into it', async (t) => {
  const queueName = uniqueQueueName('orders')
  const dlqName = uniqueQueueName('orders-dlq')
  const queues = await ensureQueues(sqs, { queueName, dlqName })
  t.match(queues.queueUrl, new RegExp(`/${queueName}$`))
  t.match(queues.dlqUrl, new RegExp(`/${dlqName}$`))
  t.match(queues.dlqArn, new RegExp(`:${dlqName}$`))

  const main = await attributesOf(queues.queueUrl)
  t.equal(main.VisibilityTimeout, '60')
  t.equal(main.MessageRetentionPeriod, '1209600')
  t.same(JSON.parse(main.RedrivePolicy ?? '{}'), { deadLetterTargetArn: queues.dlqArn, maxReceiveCount: 3 })
  const dlq = await attributesOf(queues.dlqUrl)
  t.equal(dlq.MessageRetentionPeriod, '1209600')
})

t.test('is idempotent: a second call returns the same queues', async (t) => {
  const setup = { queueName: uniqueQueueName('idem'), dlqName: uniqueQueueName('idem-dlq') }
  const first = await ensureQueues(sqs, setup)
  const second = await ensureQueues(sqs, setup)
  t.same(second, first)
})

t.test('converges an existing queue on changed settings', async (t) => {
  const setup = { queueName: uniqueQueueName('conv'), dlqName: uniqueQueueName('conv-dlq') }
  const first = await ensureQueues(sqs, setup)
  const second = await ensureQueues(sqs, { ...setup, visibilityTimeoutSeconds: 120, maxReceiveCount: 5 })
  t.equal(second.queueUrl, first.queueUrl)
  const main = await attributesOf(second.queueUrl)
  t.equal(main.VisibilityTimeout, '120')
  t.equal(Number(JSON.parse(main.RedrivePolicy ?? '{}').maxReceiveCount), 5)
})
