import type { Message } from '@aws-sdk/client-sqs'
import type { SqsApi } from '@flash/queue'
import type { OrderMessage, SettleBody } from '@flash/contracts'
import type { Database } from '@flash/db'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import { type SettleClient, settleItems } from '../inventory.ts'
import { backoffSeconds, parseOrderMessage, receiveCount, requestIdOf } from '../messages.ts'
import type { FinalizerMetrics } from '../metrics.ts'
import { GroupCommitter } from '../group-commit.ts'
import { type FinalizeResult, finalizeOrders } from '../repositories/finalize.ts'
import { setVisibility } from './visibility.ts'

/** Orders per transaction and items per settle call (the settle endpoint's limit). */
const MAX_GROUP = 100

export interface OrderWorkerDeps {
  db: Kysely<Database>
  inventory: SettleClient
  sqs: SqsApi
  queueUrl: string
  retryBaseSeconds: number
  log: FastifyBaseLogger
  metrics: FinalizerMetrics
}

/**
 * sqs-consumer's handleMessageBatch for the orders queue. Returns the messages to delete: those whose
 * order is now terminal and settled in inventory, or has no row. Everything else — a poison message,
 * a failed transaction, a failed settle — is handed back with an exponential-backoff visibility; SQS
 * counts the deliveries and its redrive policy moves the message to the DLQ after the last one.
 * (The original marked the order failed on the first error, so its retries found nothing to do and
 * its DLQ never saw a message.)
 */
export function orderBatchHandler(deps: OrderWorkerDeps) {
  const { db, inventory, sqs, queueUrl, retryBaseSeconds, log, metrics } = deps
  const committer = new GroupCommitter<OrderMessage, FinalizeResult>((orders) => {
    metrics.transactionSize.observe(orders.length)
    return finalizeOrders(
      db,
      orders.map((o) => o.order_uuid),
      orders.map((o) => o.product_id),
    )
  }, MAX_GROUP)
  // Settles are grouped the same way: batches whose transaction ended while a settle call was on the
  // wire share the next one (the endpoint takes up to 100 items), so one HTTP round trip serves
  // several batches, and it runs alongside the next group's transaction. A failed call fails every
  // batch in it; each retries, and settling again is a no-op for the ones that had gone through.
  const settler = new GroupCommitter<SettleBody & { request_id: string }, void>(async (items) => {
    metrics.settleSize.observe(items.length)
    await inventory.settle(
      items.map(({ request_id: _, ...item }) => item),
      items[0]!.request_id,
    )
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
        const group = await committer.submit(valid.map((v) => v.order))
        // The transaction may have carried other batches too: keep to this batch's orders.
        const result = {
          orders: group.orders.filter((o) => mine.has(o.order_uuid)),
          missing: group.missing.filter((u) => mine.has(u)),
        }
        const items = settleItems(result.orders).map((item) => ({ ...item, request_id: requestId }))
        // Already-terminal orders are settled again: a crash between commit and settle is repaired here.
        if (items.length > 0) await settler.submit(items)
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
