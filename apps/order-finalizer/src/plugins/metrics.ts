import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Histogram, type Registry } from 'prom-client'

/** Finalizer counters on the /metrics registry; commits/s is rate(finalizer_orders_total{outcome="completed"}). */
export function createFinalizerMetrics(registry: Registry) {
  const registers = [registry]
  return {
    orders: new Counter({
      name: 'finalizer_orders_total',
      help: 'Orders seen by the finalizer: completed, failed (insufficient stock or per-user limit), skipped (already terminal), missing',
      labelNames: ['outcome'],
      registers,
    }),
    batchSize: new Histogram({
      name: 'finalizer_batch_size',
      help: 'Messages per received batch',
      buckets: [1, 2, 3, 5, 8, 10],
      registers,
    }),
    transactionSize: new Histogram({
      name: 'finalizer_transaction_orders',
      help: 'Orders per finalize transaction (concurrent batches share one: group commit)',
      buckets: [1, 5, 10, 20, 30, 50, 100],
      registers,
    }),
    settleSize: new Histogram({
      name: 'finalizer_settle_items',
      help: 'Reservations per settle call to inventory-service (concurrent batches share one)',
      buckets: [1, 5, 10, 20, 30, 50, 100],
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'finalizer_batch_seconds',
      help: 'Transaction + settle time per batch',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers,
    }),
    failures: new Counter({
      name: 'finalizer_batch_failures_total',
      help: 'Batches whose transaction or settle failed (their messages are retried)',
      labelNames: ['queue'],
      registers,
    }),
    retries: new Counter({
      name: 'finalizer_retries_total',
      help: 'Messages handed back to SQS with a backoff visibility',
      registers,
    }),
    poison: new Counter({
      name: 'finalizer_poison_messages_total',
      help: 'Messages that are not a valid OrderMessage v1',
      labelNames: ['queue'],
      registers,
    }),
    deadLettered: new Counter({
      name: 'finalizer_dead_lettered_orders_total',
      help: 'Orders handled from the DLQ: failed (marked processing_failed), already_terminal, missing',
      labelNames: ['outcome'],
      registers,
    }),
    resent: new Counter({
      name: 'finalizer_stale_resent_total',
      help: 'Stale pending orders whose message was sent again by the sweep',
      registers,
    }),
    paymentWindow: new Counter({
      name: 'finalizer_payment_window_total',
      help: 'Unpaid orders expired, and expired/cancelled orders whose units Redis confirmed back on sale',
      labelNames: ['step'] as const,
      registers,
    }),
  }
}
export type FinalizerMetrics = ReturnType<typeof createFinalizerMetrics>

declare module 'fastify' {
  interface FastifyInstance {
    finalizerMetrics: FinalizerMetrics
  }
}

/** The finalizer's counters, on the kit's `/metrics` registry, as `app.finalizerMetrics`. */
export const finalizerMetricsPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('finalizerMetrics', createFinalizerMetrics(app.metrics))
  },
  { name: 'finalizer-metrics', dependencies: ['flash-metrics'] },
)
