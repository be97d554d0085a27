import { toOrderMessage } from '@flash/contracts'
import type { Database } from '@flash/db'
import { type SqsApi, sendBatch } from '@flash/queue'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { FinalizerMetrics } from '../plugins/metrics.ts'
import { stalePendingOrders } from '../repositories/stale-orders.ts'

export interface StaleSweepDeps {
  db: Kysely<Database>
  sqs: SqsApi
  queueUrl: string
  /** An order pending longer than this has probably lost its message. */
  staleAfterMs: number
  log: FastifyBaseLogger
  metrics: FinalizerMetrics
}

const LIMIT = 100

/**
 * Re-sends the message of orders pending for too long. The intake inserts the row and then sends the
 * message: a crash (or a failed undo) in between would leave an order pending for ever, holding its
 * reservation (the inventory sweeper never releases one whose order is pending). A duplicate message
 * is harmless — finalizing is exactly-once — so the sweep may run on every instance.
 */
export async function sweepStalePending(deps: StaleSweepDeps): Promise<number> {
  const { db, sqs, queueUrl, staleAfterMs, log, metrics } = deps
  const rows = await stalePendingOrders(db, staleAfterMs, LIMIT)
  if (rows.length === 0) return 0
  const entries = rows.map((row) => {
    const message = toOrderMessage(row, row.request_id ?? 'stale-sweep')
    return {
      MessageBody: JSON.stringify(message),
      MessageAttributes: { request_id: { DataType: 'String', StringValue: message.request_id } },
    }
  })
  const out = await sendBatch(sqs, queueUrl, entries)
  metrics.resent.inc(out.successful.length)
  log.warn({ resent: out.successful.length, failed: out.failed.length }, 're-sent stale pending orders')
  return out.successful.length
}
