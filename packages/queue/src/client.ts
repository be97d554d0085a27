import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import { SQSClient } from '@aws-sdk/client-sqs'
import { NodeHttpHandler } from '@smithy/node-http-handler'

export interface SqsClientOptions {
  /** The emulator's URL; leave unset in AWS so the SDK uses the regional endpoint and credential chain. */
  endpoint?: string | undefined
  region: string
  /** Sockets per host: bounds concurrent SQS calls from one process. */
  maxSockets?: number
}

/**
 * An SQS client that reuses connections: a TLS/TCP handshake per call would cost more than the call.
 * With an endpoint (the emulator) the credentials are dummies and the endpoint is explicit for every
 * call — the emulator's queue URLs name a host that does not resolve, so the SDK must never follow them.
 */
export function createSqsClient({ endpoint, region, maxSockets = 50 }: SqsClientOptions): SQSClient {
  const requestHandler = new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    connectionTimeout: 3_000,
  })
  if (!endpoint) return new SQSClient({ region, requestHandler })
  return new SQSClient({
    region,
    endpoint,
    requestHandler,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  })
}
