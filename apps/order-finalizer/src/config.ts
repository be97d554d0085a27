import { type Static, Type } from 'typebox'
import { inventoryClientEnv, mysqlEnv, serverEnv, serviceCredentialEnv, sqsEnv } from '@flash/config'
import type { QueueSetup } from '@flash/queue'

/**
 * The orders queue and its DLQ as the finalizer consumes them. Whatever creates the queues locally
 * (the dev stack, the emulator process, tests: `ordersQueueSetup`) validates these same variables, so
 * the redrive count and the finalizer's attempt budget are one value; in AWS infra passes its QUEUE
 * settings to both.
 */
export const ordersQueueEnv = {
  ...sqsEnv,
  /** Deliveries before SQS moves a message to the DLQ: the queue's redrive maxReceiveCount. */
  MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 20, default: 3 }),
  /** Must exceed the worst-case handling time of a batch so two workers never hold one message. */
  VISIBILITY_TIMEOUT_SECONDS: Type.Integer({ minimum: 1, maximum: 43_200, default: 60 }),
}
export const OrdersQueueEnv = Type.Object(ordersQueueEnv)
export type OrdersQueueConfig = Static<typeof OrdersQueueEnv>

export const FinalizerEnv = Type.Object({
  ...serverEnv(3004),
  ...mysqlEnv,
  ...serviceCredentialEnv,
  ...ordersQueueEnv,
  ...inventoryClientEnv,
  /** Backoff for retry n is RETRY_BASE_SECONDS × 2^(n−1) (5, 10, 20 s by default), via message visibility. */
  RETRY_BASE_SECONDS: Type.Integer({ minimum: 0, maximum: 900, default: 5 }),
  /**
   * Parallel receive loops per instance (each handles batches of up to 10 messages). A loop waits on
   * round trips (receive, transaction, settle, delete), not on CPU, and concurrent batches share one
   * transaction and one settle call: 8 loops drained about twice as fast as 2 (apps/order-finalizer/bench).
   */
  CONSUMERS: Type.Integer({ minimum: 1, maximum: 32, default: 8 }),
  /**
   * A pending order older than this is re-sent to the queue (a duplicate is harmless). The pending row
   * is the intake's outbox: an order accepted while SQS was down waits here at most this long plus
   * STALE_SWEEP_INTERVAL_MS. Keep it above the queue's normal backlog, or busy sales re-send for nothing.
   */
  STALE_PENDING_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 10 }),
  STALE_SWEEP_INTERVAL_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 5_000 }),
  /**
   * Seconds a committed order waits for its payment (`awaiting_payment`, holding its unit) before it
   * expires and the unit goes back on sale; a product's own `payment_window_seconds` wins. 0: orders
   * complete at commit, with no payment step. At most 6 h: inventory keeps the tombstone that makes the
   * unit's return exact for 24 h.
   */
  PAYMENT_WINDOW_SECONDS: Type.Integer({ minimum: 0, maximum: 21_600, default: 0 }),
  /** How often each instance expires unpaid orders past `pay_by` and re-sends owed unit returns. */
  EXPIRY_INTERVAL_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 1_000 }),
  /** How often the dead-letter queue is drained to mark its orders failed. */
  DLQ_POLL_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 5_000 }),
})
export type FinalizerConfig = Static<typeof FinalizerEnv>

/** The queues `ordersQueueEnv` describes, as `ensureQueues` creates them: one value per setting. */
export function ordersQueueSetup(config: OrdersQueueConfig): QueueSetup {
  return {
    queueName: config.ORDERS_QUEUE_NAME,
    dlqName: config.ORDERS_DLQ_NAME,
    maxReceiveCount: config.MAX_ATTEMPTS,
    visibilityTimeoutSeconds: config.VISIBILITY_TIMEOUT_SECONDS,
  }
}
