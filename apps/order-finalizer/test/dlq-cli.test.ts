import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { SendMessageCommand } from '@aws-sdk/client-sqs'
import t from 'tap'
import { listDlq, purgeDlq, replayDlq } from '../src/dlq-tools.ts'
import { createWorld, depth } from './helpers.ts'

const run = promisify(execFile)
const CLI = fileURLToPath(new URL('../src/dlq-cli.ts', import.meta.url))
// No finalizer runs in this file: the DLQ keeps what we put there.
const world = await createWorld(t, 'dlqcli')
const cliEnv = { ...process.env, ...world.env }

async function deadLetter(body: string, requestId = 'req-1') {
  await world.sqs.send(
    new SendMessageCommand({
      QueueUrl: world.dlqUrl,
      MessageBody: body,
      MessageAttributes: { request_id: { DataType: 'String', StringValue: requestId } },
    }),
  )
}

t.test('list peeks without consuming', async (t) => {
  await deadLetter('{"a":1}', 'r-a')
  await deadLetter('{"b":2}', 'r-b')
  const first = await listDlq(world.sqs, world.dlqUrl)
  t.same(first.map((m) => m.body).toSorted(), ['{"a":1}', '{"b":2}'])
  t.same(first.map((m) => m.request_id).toSorted(), ['r-a', 'r-b'])
  t.ok(first.every((m) => m.sent_at && m.receive_count >= 1))
  t.equal((await listDlq(world.sqs, world.dlqUrl)).length, 2, 'still there, visible again')
  const { stdout, stderr } = await run(process.execPath, [CLI, 'list'], { env: cliEnv })
  t.equal(stdout.trim().split('\n').length, 2, 'one JSON line per message')
  t.match(stderr, /2 visible/)
})

t.test('replay moves messages back to the orders queue', async (t) => {
  const result = await replayDlq(world.sqs, world.dlqUrl, world.queueUrl)
  t.same(result, { replayed: 2, failed: 0 })
  t.equal(await depth(world.sqs, world.dlqUrl), 0)
  t.equal(await depth(world.sqs, world.queueUrl), 2)
})

t.test('purge refuses without --yes and empties the DLQ with it', async (t) => {
  await deadLetter('{"c":3}')
  const refused = await run(process.execPath, [CLI, 'purge'], { env: cliEnv }).catch((e) => e)
  t.equal(refused.code, 2)
  t.match(refused.stderr, /--yes/)
  t.equal(await depth(world.sqs, world.dlqUrl), 1, 'nothing deleted')
  const { stdout } = await run(process.execPath, [CLI, 'purge', '--yes'], { env: cliEnv })
  t.match(stdout, /purged/)
  t.equal(await depth(world.sqs, world.dlqUrl), 0)
  await purgeDlq(world.sqs, world.dlqUrl)
})

t.test('unknown commands are refused', async (t) => {
  const bad = await run(process.execPath, [CLI, 'drop'], { env: cliEnv }).catch((e) => e)
  t.equal(bad.code, 2)
})
