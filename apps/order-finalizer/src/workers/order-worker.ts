import type { Message } from '@aws-sdk/client-sqs'
import type { SqsApi } from '@flash/queue'
import type { OrderMessage } from '@flash/contracts'
import type { Database } from '@flash/db'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import { type SettleClient, settleItems } from './settle-items.ts'
import { backoffSeconds, parseOrderMessage, receiveCount, requestIdOf } from './messages.ts'
import type { FinalizerMetrics } from '../plugins/metrics.ts'
import { GroupCommitter } from './group-commit.ts'
import { type FinalizeResult, finalizeOrders } from '../repositories/finalize.ts'
import { setVisibility } from './visibility.ts'

/** Orders per transaction, and so reservations per settle call (the settle endpoint's limit). */
const MAX_GROUP = 100

interface Committed {
  result: FinalizeResult
  /** The group's settle call, already on the wire. */
  settled: Promise<void>
}

export interface OrderWorkerDeps {
  db: Kysely<Database>
  inventory: SettleClient
  sqs: SqsApi
  queueUrl: string
  retryBaseSeconds: number
  /** PAYMENT_WINDOW_SECONDS: 0 completes orders at commit. */
  paymentWindowSeconds: number
  log: FastifyBaseLogger
  metrics: FinalizerMetrics
}

/**
 * sqs-consumer's handleMessageBatch for the orders queue. Returns the messages to delete: those whose
 * order is now terminal and settled in inventory, or has no row. Everything else — a poison message,
 * a failed transaction, a failed settle — is handed back with an exponential-backoff visibility; SQS
 * counts the deliveries and its redrive policy moves the message to the DLQ after the last one.
 * Nothing is marked failed on the way, so every retry really re-runs; the DLQ worker ends the order.
 */
export function orderBatchHandler(deps: OrderWorkerDeps) {
  const { db, inventory, sqs, queueUrl, retryBaseSeconds, paymentWindowSeconds, log, metrics } = deps
  // One transaction per group of concurrent batches, then one settle call for the whole group,
  // started as soon as it committed and left to run alongside the next group's transaction. Each
  // batch awaits its group's settle; a failed settle fails every batch of the group, and each retries
  // (settling again is a no-op for the reservations that had gone through).
  const committer = new GroupCommitter<OrderMessage, Committed>(async (orders) => {
    metrics.transactionSize.observe(orders.length)
    const result = await finalizeOrders(
      db,
      orders.map((o) => o.order_uuid),
      orders.map((o) => o.product_id),
      paymentWindowSeconds,
    )
    // Already-terminal orders are settled again: a crash between commit and settle is repaired here.
    const items = settleItems(result.orders)
    let settled = Promise.resolve()
    if (items.length > 0) {
      metrics.settleSize.observe(items.length)
      settled = inventory.settle(items, orders[0]!.request_id).then(() => undefined)
      // Awaited by every batch of the group; this only keeps an early failure from being "unhandled".
      settled.catch(() => {})
    }
    return { result, settled }
  }, MAX_GROUP)
  return async (messages: Message[]): Promise<Message[]> => {
    metrics.batchSize.observe(messages.length)
    const valid: { message: Message; order: OrderMessage }[] = []
    for (const message of messages) {
      const order = parseOrderMessage(message)
      if (order) valid.push({ message, order })
      else {
        metrics.poison.inc({ queue: 'orders' })
        log.error(
          { message_id: message.MessageId, body: message.Body?.slice(0, 500) },
          'poison message; left for the DLQ',
        )
      }
    }

    let acked: Message[] = []
    if (valid.length > 0) {
      const requestId = requestIdOf(valid[0]!.message, valid[0]!.order)
      const stop = metrics.batchSeconds.startTimer()
      try {
        const mine = new Set(valid.map((v) => v.order.order_uuid))
        const { result: group, settled } = await committer.submit(valid.map((v) => v.order))
        await settled
        // The transaction may have carried other batches too: keep to this batch's orders.
        const result = {
          orders: group.orders.filter((o) => mine.has(o.order_uuid)),
          missing: group.missing.filter((u) => mine.has(u)),
        }
        for (const o of result.orders) {
          metrics.orders.inc({
            outcome: o.changed ? o.status : o.status === 'pending' ? 'left_pending' : 'skipped',
          })
        }
        if (result.missing.length > 0) {
          metrics.orders.inc({ outcome: 'missing' }, result.missing.length)
          log.info({ order_uuids: result.missing }, 'no order row (the intake rolled it back); acknowledged')
        }
        const done = new Set(result.missing)
        for (const o of result.orders) if (o.status !== 'pending') done.add(o.order_uuid)
        acked = valid.filter((v) => done.has(v.order.order_uuid)).map((v) => v.message)
        log.debug({ request_id: requestId, size: messages.length, acked: acked.length }, 'batch finalized')
      } catch (error) {
        metrics.failures.inc({ queue: 'orders' })
        log.warn(
          { err: error, request_id: requestId, size: valid.length },
          'batch failed; will retry with backoff',
        )
      } finally {
        stop()
      }
    }

    const ackedSet = new Set(acked)
    const retry = messages
      .filter((m) => !ackedSet.has(m))
      .map((message) => ({ message, seconds: backoffSeconds(retryBaseSeconds, receiveCount(message)) }))
    if (retry.length > 0) {
      metrics.retries.inc(retry.length)
      await setVisibility(sqs, queueUrl, retry, log)
    }
    return acked
  }
}
