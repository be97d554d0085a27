import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import {
  ChangeMessageVisibilityBatchCommand,
  type ChangeMessageVisibilityBatchRequest,
  DeleteMessageBatchCommand,
  type DeleteMessageBatchRequest,
  ReceiveMessageCommand,
  type ReceiveMessageRequest,
  SendMessageBatchCommand,
  type SendMessageBatchRequest,
  SQSClient,
} from '@aws-sdk/client-sqs'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import type { CallOptions, SqsApi } from './sqs-api.ts'

export interface SqsClientOptions {
  /** The emulator's URL; leave unset in AWS so the SDK uses the regional endpoint and credential chain. */
  endpoint?: string | undefined
  region: string
  /** Sockets per host: bounds concurrent SQS calls from one process. */
  maxSockets?: number
}

/** The full SDK client, also usable wherever the narrow `SqsApi` is asked for. */
export class SqsClient extends SQSClient implements SqsApi {
  sendMessageBatch(input: SendMessageBatchRequest, options: CallOptions = {}) {
    return this.send(new SendMessageBatchCommand(input), options)
  }
  receiveMessage(input: ReceiveMessageRequest, options: CallOptions = {}) {
    return this.send(new ReceiveMessageCommand(input), options)
  }
  deleteMessageBatch(input: DeleteMessageBatchRequest, options: CallOptions = {}) {
    return this.send(new DeleteMessageBatchCommand(input), options)
  }
  changeMessageVisibilityBatch(input: ChangeMessageVisibilityBatchRequest, options: CallOptions = {}) {
    return this.send(new ChangeMessageVisibilityBatchCommand(input), options)
  }
}

/**
 * An SQS client that reuses connections: a TLS/TCP handshake per call would cost more than the call.
 * With an endpoint (the emulator) the credentials are dummies and the endpoint is explicit for every
 * call — the emulator's queue URLs name a host that does not resolve, so the SDK must never follow them.
 */
export function createSqsClient({ endpoint, region, maxSockets = 50 }: SqsClientOptions): SqsClient {
  const requestHandler = new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    connectionTimeout: 3_000,
  })
  if (!endpoint) return new SqsClient({ region, requestHandler })
  return new SqsClient({
    region,
    endpoint,
    requestHandler,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  })
}
