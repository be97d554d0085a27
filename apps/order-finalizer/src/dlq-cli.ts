// Dead-letter queue tool. Usage (SQS_ENDPOINT, ORDERS_QUEUE_NAME, ORDERS_DLQ_NAME from the environment):
//   node apps/order-finalizer/src/dlq-cli.ts list [--max N]     peek, one JSON line per message
//   node apps/order-finalizer/src/dlq-cli.ts replay [--max N]   move messages back to the orders queue
//   node apps/order-finalizer/src/dlq-cli.ts purge --yes        delete every message (refuses without --yes)
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs'
import { loadConfig, sqsEnv } from '@flash/config'
import { createSqsClient, queueUrl } from '@flash/queue'
import { Type } from 'typebox'
import { listDlq, purgeDlq, replayDlq } from './dlq-tools.ts'

const [command, ...flags] = process.argv.slice(2)
const maxFlag = flags.indexOf('--max')
const max = maxFlag >= 0 ? Number(flags[maxFlag + 1]) : undefined

if (!['list', 'replay', 'purge'].includes(command ?? '') || (max !== undefined && !(max > 0))) {
  console.error('usage: dlq-cli list [--max N] | replay [--max N] | purge --yes')
  process.exit(2)
}
if (command === 'purge' && !flags.includes('--yes')) {
  console.error('purge deletes every dead-lettered message: pass --yes to confirm')
  process.exit(2)
}

const config = loadConfig(Type.Object(sqsEnv), process.env)
const sqs = createSqsClient({ endpoint: config.SQS_ENDPOINT, region: config.AWS_REGION })

try {
  const dlqUrl = await queueUrl(sqs, config.ORDERS_DLQ_NAME)
  if (command === 'list') {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: dlqUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    )
    console.error(
      `${config.ORDERS_DLQ_NAME}: ${Attributes.ApproximateNumberOfMessages ?? '?'} visible, ` +
        `${Attributes.ApproximateNumberOfMessagesNotVisible ?? '?'} in flight (e.g. poison messages resting)`,
    )
    for (const m of await listDlq(sqs, dlqUrl, max)) console.log(JSON.stringify(m))
  } else if (command === 'replay') {
    const result = await replayDlq(sqs, dlqUrl, await queueUrl(sqs, config.ORDERS_QUEUE_NAME), max)
    console.log(JSON.stringify(result))
    if (result.failed > 0) process.exitCode = 1
  } else {
    await purgeDlq(sqs, dlqUrl)
    console.log(`purged ${config.ORDERS_DLQ_NAME}`)
  }
} catch (error) {
  console.error(`dlq-cli ${command} failed: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  sqs.destroy()
}
