import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs'
import type { CallOptions, SqsApi } from './sqs-api.ts'

type ConsumerCommand = ReceiveMessageCommand | DeleteMessageBatchCommand | ChangeMessageVisibilityBatchCommand

/**
 * sqs-consumer takes an SDK `SQSClient` and only ever calls `send` with three commands in the
 * batch mode we use (receive, batch delete, batch visibility change). This hands those to an
 * `SqsApi`, so the finalizer's receive loop runs on the lean client; any other command is a
 * configuration we do not use and fails loudly instead of going somewhere unexpected.
 */
export function consumerClient(api: SqsApi): SQSClient {
  const send = (command: ConsumerCommand, options?: CallOptions) => {
    if (command instanceof ReceiveMessageCommand) return api.receiveMessage(command.input, options)
    if (command instanceof DeleteMessageBatchCommand) return api.deleteMessageBatch(command.input, options)
    if (command instanceof ChangeMessageVisibilityBatchCommand) {
      return api.changeMessageVisibilityBatch(command.input, options)
    }
    throw new TypeError(`consumerClient: ${(command as object).constructor.name} is not supported`)
  }
  return { send } as unknown as SQSClient
}
