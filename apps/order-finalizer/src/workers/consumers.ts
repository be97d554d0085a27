import { consumerClient, queueUrl } from '@flash/queue'
import { readinessOf, runPeriodically } from '@flash/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Consumer } from 'sqs-consumer'
import type { FinalizerConfig } from '../config.ts'
import { createLoop, stopLoop } from './consumer-loop.ts'
import { dlqBatchHandler } from './dlq-worker.ts'
import { orderBatchHandler } from './order-worker.ts'
import { expireUnpaidOrders } from './payment-expiry.ts'
import { sweepStalePending } from './stale-sweep.ts'

export interface ConsumersOptions {
  config: FinalizerConfig
  /** Long-poll length; a graceful stop waits for the poll in progress. */
  waitTimeSeconds: number
  staleAfterMs: number
  staleSweepIntervalMs: number
  /** How often the payment window's expiry pass runs (default EXPIRY_INTERVAL_MS). */
  expiryIntervalMs: number
}

/**
 * CONSUMERS receive loops on the orders queue, one on the DLQ (every DLQ_POLL_MS), the
 * stale-pending sweep and the payment window's expiry pass; started when the app is ready, stopped — in-flight batches finished — when it
 * closes. Receives, deletes and visibility changes go through the lean JSON-protocol client
 * (`app.sqs`), settles through `app.inventory`. `/ready` asks whether they run, as `consumers`.
 */
export const consumersPlugin = fp<ConsumersOptions>(
  async (app: FastifyInstance, options) => {
    const { config, waitTimeSeconds } = options
    const metrics = app.finalizerMetrics
    const { inventory } = app
    const sqs = app.sqs.api
    const consumers: Consumer[] = []
    /** Set once the queue URLs are known (onReady, before the first sweep). */
    let ordersQueueUrl: string | undefined
    const log = app.log.child({ worker: 'finalizer' })
    // A second less than the process's own grace period, so the close completes before it is killed.
    const graceMs = Math.max(0, config.SHUTDOWN_GRACE_MS - 1_000)

    app.addHook('onReady', async () => {
      const [ordersUrl, dlqUrl] = await Promise.all([
        queueUrl(app.sqs.client, config.ORDERS_QUEUE_NAME),
        queueUrl(app.sqs.client, config.ORDERS_DLQ_NAME),
      ])
      const loop = { sqs: consumerClient(sqs), waitTimeSeconds, graceMs, log }
      const retryBaseSeconds = config.RETRY_BASE_SECONDS
      const handle = orderBatchHandler({
        db: app.db,
        inventory,
        sqs,
        queueUrl: ordersUrl,
        retryBaseSeconds,
        paymentWindowSeconds: config.PAYMENT_WINDOW_SECONDS,
        log,
        metrics,
      })
      for (let i = 0; i < config.CONSUMERS; i++) {
        consumers.push(
          createLoop({
            ...loop,
            queueUrl: ordersUrl,
            handle,
            visibilityTimeout: config.VISIBILITY_TIMEOUT_SECONDS,
            idleWaitMs: 0,
          }),
        )
      }
      consumers.push(
        createLoop({
          ...loop,
          queueUrl: dlqUrl,
          handle: dlqBatchHandler({ db: app.db, inventory, sqs, dlqUrl, log, metrics }),
          waitTimeSeconds: 0,
          // A failed DLQ batch reappears for the next poll.
          visibilityTimeout: Math.max(1, Math.ceil(config.DLQ_POLL_MS / 1000)),
          idleWaitMs: config.DLQ_POLL_MS,
        }),
      )
      for (const consumer of consumers) consumer.start()
      ordersQueueUrl = ordersUrl
    })
    // Registered after the hook above: its onReady runs once the queue URL is known.
    runPeriodically(
      app,
      options.staleSweepIntervalMs,
      async () => {
        if (ordersQueueUrl === undefined) return
        const { staleAfterMs } = options
        await sweepStalePending({ db: app.db, sqs, queueUrl: ordersQueueUrl, staleAfterMs, log, metrics })
      },
      (err) => log.warn({ err }, 'stale sweep failed'),
    )

    // Runs whatever PAYMENT_WINDOW_SECONDS says: products may carry their own window, and orders that
    // waited under an earlier setting still expire.
    runPeriodically(
      app,
      options.expiryIntervalMs,
      () => expireUnpaidOrders({ db: app.db, inventory, log, metrics }),
      (err) => log.warn({ err }, 'payment expiry pass failed; retried next pass'),
    )

    app.addHook('onClose', async () => {
      await Promise.all(consumers.map((c) => stopLoop(c, graceMs)))
    })
    readinessOf(app).add('consumers', async () => {
      if (consumers.length === 0 || !consumers.every((c) => c.status.isRunning))
        throw new Error('consumers stopped')
    })
  },
  {
    name: 'finalizer-consumers',
    dependencies: ['flash-db', 'finalizer-sqs', 'flash-inventory-client', 'finalizer-metrics'],
  },
)
