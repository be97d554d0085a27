import { Duration } from 'aws-cdk-lib'
import * as sqs from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'
import { QUEUE } from '../topology.ts'

/**
 * The orders queue and its DLQ. Visibility (60 s) is far above a batch's worst handling time so two
 * finalizers never hold one message; after maxReceiveCount deliveries the message moves to the DLQ,
 * where the finalizer's DLQ worker ends its order `failed` and returns its stock.
 */
export class OrderQueues extends Construct {
  readonly orders: sqs.Queue
  readonly deadLetters: sqs.Queue

  constructor(scope: Construct, id: string) {
    super(scope, id)
    const retentionPeriod = Duration.days(QUEUE.retentionDays)
    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      retentionPeriod,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    })
    this.orders = new sqs.Queue(this, 'Orders', {
      visibilityTimeout: Duration.seconds(QUEUE.visibilityTimeoutSeconds),
      retentionPeriod,
      // Long polling by default: receivers that forget WaitTimeSeconds still avoid empty receives.
      receiveMessageWaitTime: Duration.seconds(20),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: QUEUE.maxReceiveCount },
    })
  }
}
