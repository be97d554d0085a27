import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Histogram } from 'prom-client'

/** Order-intake counters on the service's /metrics registry (HTTP metrics come from service-kit). */
export function createOrderMetrics(app: FastifyInstance) {
  const registers = [app.metrics]
  return {
    outcomes: new Counter({
      name: 'order_intake_total',
      help: 'POST /api/orders outcomes: accepted, out_of_stock, sold_out_local, sale_not_started(_local), per_user_limit, ...',
      labelNames: ['outcome'],
      registers,
    }),
    reserveCalls: new Counter({
      name: 'order_inventory_reserve_calls_total',
      help: 'Reserve calls made to inventory-service',
      registers,
    }),
    compensations: new Counter({
      name: 'order_compensations_total',
      help: 'Accepted reservations rolled back because a later step failed, by step',
      labelNames: ['step'],
      registers,
    }),
    sqsBatchSize: new Histogram({
      name: 'order_sqs_batch_size',
      help: 'Messages per SendMessageBatch call',
      buckets: [1, 2, 3, 5, 8, 10],
      registers,
    }),
  }
}
export type OrderMetrics = ReturnType<typeof createOrderMetrics>

declare module 'fastify' {
  interface FastifyInstance {
    orderMetrics: OrderMetrics
  }
}

export const orderMetricsPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('orderMetrics', createOrderMetrics(app))
  },
  { name: 'order-metrics', dependencies: ['flash-metrics'] },
)
