import { App, Stack, Validations } from 'aws-cdk-lib'
import * as sqs from 'aws-cdk-lib/aws-sqs'
import t from 'tap'
import { acknowledge, applyNag } from '../src/nag.ts'
import { synth } from './fixture.ts'

t.test('an unacknowledged finding fails the synth; an acknowledged one does not', async (t) => {
  const build = (ack: boolean) => {
    const app = new App()
    const stack = new Stack(app, 'Probe')
    const queue = new sqs.Queue(stack, 'NoDlq', { enforceSSL: true })
    if (ack) acknowledge(queue, 'SQS3', 'probe queue')
    applyNag(app)
    return app
  }
  t.throws(() => build(false).synth(), /Validation failed/)
  t.doesNotThrow(() => build(true).synth())
})

t.test('every acknowledgement in the platform carries a reason', async (t) => {
  const { app } = synth()
  const acks = app.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
    .flatMap((m) => Object.entries(m.data as Record<string, string>))
    .filter(([id]) => id.startsWith('AwsSolutions::'))
  t.ok(acks.length > 0)
  for (const [id, reason] of acks) t.ok(reason.length >= 30, `${id}: "${reason}"`)
})
