import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { ROUTE_TABLE, type RouteRule } from '@flash/routes'
import { errorHandlerPlugin, genReqId, loggerOptions, REQUEST_ID_HEADER } from '@flash/service-kit'
import Fastify, { type FastifyInstance, LogController } from 'fastify'
import type { DestinationStream } from 'pino'
import { Agent } from 'undici'
import { createDocsSource } from './docs.ts'
import { proxyRoutes } from './proxy.ts'
import { createUpstreamPool, type GatewayTargets } from './upstreams.ts'

/**
 * Largest request body the gateway accepts. API messages are a few hundred bytes (services refuse
 * more than 16 KiB); a whole Buffer costs far less per request than a stream pipeline, and a limit
 * here keeps a huge upload from tying up the hop at all.
 */
export const BODY_LIMIT = 1024 * 1024

export interface GatewayOptions {
  /** Base URL(s) of each service; several instances are used in round robin. */
  targets: GatewayTargets
  routes?: readonly RouteRule[]
  logLevel?: string
  /** Upstream response-header and body-chunk timeout: past it the client gets a 504. */
  upstreamTimeoutMs?: number
  /** Keep-alive connections per upstream instance. */
  connectionsPerUpstream?: number
  retryAfterSeconds?: number
  /** How long an instance that refused a connection is skipped. */
  downForMs?: number
  docsTimeoutMs?: number
  /** Where log lines go (default stdout); tests pass a stream to read them. */
  logStream?: DestinationStream
}

/**
 * The local stand-in for the ALB: routes public paths by the shared route table, never `/internal/*`,
 * answers unknown paths and failed upstreams with problem+json, and serves the merged API docs. The
 * proxying itself is @fastify/http-proxy (proxy.ts). Bodies (up to 1 MiB) pass through untouched:
 * validation and tighter limits are the services' job.
 */
export async function buildGateway(options: GatewayOptions): Promise<FastifyInstance> {
  const routes = options.routes ?? ROUTE_TABLE
  const app = Fastify({
    logger: {
      ...loggerOptions('gateway', options.logLevel ?? 'info'),
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    genReqId,
    requestIdHeader: false,
    // Each service logs the request under the same id; a second line per request here adds only cost.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  })
  const agent = new Agent({
    connections: options.connectionsPerUpstream ?? 128,
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
  })
  app.addHook('onClose', async () => {
    await agent.close()
  })
  const pool = createUpstreamPool(options.targets, options.downForMs ?? 1_000)

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id)
  })
  await app.register(errorHandlerPlugin)
  // A client that closes its connection before the answer (a load tool's timeout, a buyer who gave
  // up) is its own outcome: counted (client_hangups_total) and logged sampled, never as an error.
  app.addHook('onRequestAbort', (request, done) => {
    app.serviceEvents.recordHangup(request)
    done()
  })

  // Bodies are read whole, unparsed, so they reach the upstream byte for byte; Fastify enforces the
  // limit (413 problem). The rest of such an upload is never read, so that connection is closed.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) =>
    done(null, body),
  )
  app.addHook('onError', async (_request, reply, error) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') reply.header('connection', 'close')
  })

  const docs = createDocsSource({ agent, pool, routes, timeoutMs: options.docsTimeoutMs ?? 2_000 })
  // Swagger UI needs @fastify/swagger registered; its static document is only a placeholder, each
  // /docs/json request gets a freshly merged one through transformSpecification.
  await app.register(swagger, { mode: 'static', specification: { document: docs.latest() as never } })
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiHooks: {
      preHandler: async (request) => {
        if (/^\/docs\/(json|yaml)$/.test(request.url.split('?', 1)[0] ?? '')) await docs.refresh()
      },
    },
    transformSpecification: () => docs.latest(),
    transformSpecificationClone: false,
  })

  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' as const }))
  await app.register(proxyRoutes, {
    agent,
    pool,
    routes,
    timeoutMs: options.upstreamTimeoutMs ?? 30_000,
    retryAfterSeconds: options.retryAfterSeconds ?? 1,
  })
  return app
}
