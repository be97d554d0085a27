import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, Counter, Histogram, type Metric, Registry } from 'prom-client'
import { NOT_SHED } from './shedding.ts'

type Label = 'method' | 'route' | 'status'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry
  }
}

/**
 * Prometheus text at `/metrics`: process metrics plus request counts and latency by route and
 * status. Labels use the route pattern, never the raw URL, so cardinality stays bounded.
 */
export const metricsPlugin = fp<{ service: string; extra?: Metric[] }>(
  async (app: FastifyInstance, { service, extra = [] }) => {
    const registry = new Registry()
    registry.setDefaultLabels({ service })
    for (const metric of extra) registry.registerMetric(metric)
    collectDefaultMetrics({ register: registry })
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    })
    const total = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    })
    app.decorate('metrics', registry)
    // Resolving label values on every request costs measurable CPU at tens of thousands of req/s;
    // the bound children are cached per (method, route, status) — a small, fixed set.
    const bound = new Map<string, { total: Counter.Internal; duration: Histogram.Internal<Label> }>()
    // A callback hook, not an async one: no promise per request on the hot path.
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched'
      const key = `${request.method} ${route} ${reply.statusCode}`
      let children = bound.get(key)
      if (!children) {
        const labels = { method: request.method, route, status: String(reply.statusCode) }
        children = { total: total.labels(labels), duration: duration.labels(labels) }
        bound.set(key, children)
      }
      children.total.inc()
      children.duration.observe(reply.elapsedTime / 1000)
      done()
    })
    app.get('/metrics', { schema: { hide: true }, config: NOT_SHED }, async (_request, reply) =>
      reply.type(registry.contentType).send(await registry.metrics()),
    )
  },
  { name: 'flash-metrics' },
)
