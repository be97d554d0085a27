import { randomBytes } from 'node:crypto'
import { createSqsClient, type SqsClient, type SqsEmulator, startSqsEmulator } from '../src/index.ts'

interface Teardown {
  teardown(fn: () => unknown): void
}

/** A private emulator on a free port for one test file, stopped on teardown. */
export async function startTestSqs(t: Teardown): Promise<{ emulator: SqsEmulator; sqs: SqsClient }> {
  const emulator = await startSqsEmulator({ port: 0 })
  const sqs = createSqsClient({ endpoint: emulator.endpoint, region: 'us-east-1' })
  t.teardown(async () => {
    sqs.destroy()
    await emulator.stop()
  })
  return { emulator, sqs }
}

export const uniqueQueueName = (label: string) => `${label}-${randomBytes(4).toString('hex')}`
