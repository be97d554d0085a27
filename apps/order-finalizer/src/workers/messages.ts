import type { Message } from '@aws-sdk/client-sqs'
import { OrderMessage } from '@flash/contracts'
import { Compile } from 'typebox/compile'

const check = Compile(OrderMessage)

/** The message's body as an OrderMessage v1, or undefined for anything else (poison). */
export function parseOrderMessage(message: Message): OrderMessage | undefined {
  try {
    const value: unknown = JSON.parse(message.Body ?? '')
    return check.Check(value) ? (value as OrderMessage) : undefined
  } catch {
    return undefined
  }
}

/** Deliveries so far, this one included (SQS counts them; the redrive policy acts on it). */
export function receiveCount(message: Message): number {
  const n = Number(message.Attributes?.ApproximateReceiveCount)
  return Number.isInteger(n) && n > 0 ? n : 1
}

/** Seconds until the next try: base × 2^(attempt−1), capped by SQS's 12 h visibility limit. */
export function backoffSeconds(baseSeconds: number, attempt: number): number {
  return Math.min(43_200, baseSeconds * 2 ** Math.max(0, Math.min(attempt - 1, 20)))
}

export function requestIdOf(message: Message, parsed?: OrderMessage): string {
  return (
    parsed?.request_id ?? message.MessageAttributes?.request_id?.StringValue ?? message.MessageId ?? 'unknown'
  )
}
