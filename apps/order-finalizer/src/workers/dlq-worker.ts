import type { Message } from '@aws-sdk/client-sqs'
import type { SqsApi } from '@flash/queue'
import type { Database } from '@flash/db'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import { type SettleClient, settleItems } from './settle-items.ts'
import { parseOrderMessage, requestIdOf } from './messages.ts'
import type { FinalizerMetrics } from '../plugins/metrics.ts'
import { failPendingOrders } from '../repositories/finalize.ts'
import { setVisibility } from './visibility.ts'

export interface DlqWorkerDeps {
  db: Kysely<Database>
  inventory: SettleClient
  sqs: SqsApi
  dlqUrl: string
  log: FastifyBaseLogger
  metrics: FinalizerMetrics
}

/** Poison messages stay in the DLQ for a person (dlq-cli list/purge); they are looked at this often. */
export const POISON_HIDE_SECONDS = 900

/**
 * handleMessageBatch for the dead-letter queue: every order whose message died is made terminal —
 * `failed` with reason `processing_failed` if still pending — and its reservation settled (released,
 * or committed if it had completed after all), then the message is deleted. So an accepted order
 * always ends terminal (I3) and its stock comes back (I4). A message that is not an OrderMessage
 * names no order we could fix: it is logged and kept (hidden for POISON_HIDE_SECONDS between looks).
 * If the database or inventory is down, nothing is deleted and the next poll tries again.
 */
export function dlqBatchHandler(deps: DlqWorkerDeps) {
  const { db, inventory, sqs, dlqUrl, log, metrics } = deps
  return async (messages: Message[]): Promise<Message[]> => {
    const valid: { message: Message; uuid: string }[] = []
    const poison: { message: Message; seconds: number }[] = []
    for (const message of messages) {
      const order = parseOrderMessage(message)
      if (order) valid.push({ message, uuid: order.order_uuid })
      else {
        metrics.poison.inc({ queue: 'dlq' })
        log.error(
          { message_id: message.MessageId, body: message.Body?.slice(0, 500) },
          'poison message kept in the DLQ',
        )
        poison.push({ message, seconds: POISON_HIDE_SECONDS })
      }
    }
    if (poison.length > 0) await setVisibility(sqs, dlqUrl, poison, log)
    if (valid.length === 0) return []
    const requestId = requestIdOf(valid[0]!.message)
    try {
      const result = await failPendingOrders(
        db,
        valid.map((v) => v.uuid),
        'processing_failed',
      )
      const items = settleItems(result.orders)
      if (items.length > 0) await inventory.settle(items, requestId)
      for (const o of result.orders) {
        metrics.deadLettered.inc({ outcome: o.changed ? 'failed' : 'already_terminal' })
        if (o.changed) log.warn({ order_uuid: o.order_uuid }, 'order failed after its last attempt (DLQ)')
      }
      if (result.missing.length > 0) metrics.deadLettered.inc({ outcome: 'missing' }, result.missing.length)
      return valid.map((v) => v.message)
    } catch (error) {
      metrics.failures.inc({ queue: 'dlq' })
      log.warn({ err: error, size: valid.length }, 'DLQ batch failed; will retry on the next poll')
      return []
    }
  }
}
