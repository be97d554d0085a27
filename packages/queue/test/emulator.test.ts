import { createServer } from 'node:net'
import { ListQueuesCommand } from '@aws-sdk/client-sqs'
import t from 'tap'
import { createSqsClient, startSqsEmulator } from '../src/index.ts'

t.test('listens on loopback on a free port and answers SQS calls', async (t) => {
  const emulator = await startSqsEmulator({ port: 0 })
  t.teardown(() => emulator.stop())
  t.match(emulator.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.ok(emulator.port > 0)
  const sqs = createSqsClient({ endpoint: emulator.endpoint, region: 'us-east-1' })
  t.teardown(() => sqs.destroy())
  const out = await sqs.send(new ListQueuesCommand({}))
  t.same(out.QueueUrls ?? [], [])
})

t.test('stop is idempotent', async (t) => {
  const emulator = await startSqsEmulator({ port: 0 })
  await Promise.all([emulator.stop(), emulator.stop()])
  await emulator.stop()
  t.pass('stopped three times without error')
})

t.test('refuses a port that is taken', async (t) => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
  const address = blocker.address()
  const port = typeof address === 'object' && address ? address.port : 0
  await t.rejects(startSqsEmulator({ port }), { code: 'EADDRINUSE' })
})
