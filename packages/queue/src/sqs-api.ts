import type {
  ChangeMessageVisibilityBatchRequest,
  ChangeMessageVisibilityBatchResult,
  DeleteMessageBatchRequest,
  DeleteMessageBatchResult,
  ReceiveMessageRequest,
  ReceiveMessageResult,
  SendMessageBatchRequest,
  SendMessageBatchResult,
} from '@aws-sdk/client-sqs'

/** SendMessageBatch, DeleteMessageBatch and ChangeMessageVisibilityBatch take at most this many entries. */
export const MAX_BATCH_ENTRIES = 10

export interface CallOptions {
  abortSignal?: AbortSignal
}

/**
 * The SQS calls the message paths make, typed with the SDK's own request and result shapes.
 * Two implementations: `SqsJsonClient` (lean, for the hot paths) and the SDK client that
 * `createSqsClient` returns (for tools and tests). Queue management (create, attributes, purge)
 * stays on the full SDK client.
 */
export interface SqsApi {
  sendMessageBatch(input: SendMessageBatchRequest, options?: CallOptions): Promise<SendMessageBatchResult>
  receiveMessage(input: ReceiveMessageRequest, options?: CallOptions): Promise<ReceiveMessageResult>
  deleteMessageBatch(
    input: DeleteMessageBatchRequest,
    options?: CallOptions,
  ): Promise<DeleteMessageBatchResult>
  changeMessageVisibilityBatch(
    input: ChangeMessageVisibilityBatchRequest,
    options?: CallOptions,
  ): Promise<ChangeMessageVisibilityBatchResult>
}
