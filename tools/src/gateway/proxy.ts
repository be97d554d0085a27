import httpProxy, { type FastifyHttpProxyOptions } from '@fastify/http-proxy'
import type { RouteRule, ServiceName } from '@flash/routes'
import { isClientHangup, sendProblem } from '@flash/service-kit'
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawServerBase,
  RouteGenericInterface,
} from 'fastify'
import type { Dispatcher } from 'undici'
import { endToEnd, upstreamRequestHeaders } from './forward-headers.ts'
import { routeRequest } from './route-request.ts'
import type { UpstreamPool } from './upstreams.ts'

export interface ProxyOptions {
  agent: Dispatcher
  pool: UpstreamPool
  routes: readonly RouteRule[]
  /** Longest wait for an upstream's response headers, then for each chunk of its body. */
  timeoutMs: number
  /** Sent as Retry-After when an upstream fails to answer. */
  retryAfterSeconds: number
}

/** Errors that prove the request never reached the upstream: safe to take that instance out. */
const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])
const TIMEOUT_ERRORS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

/** The request and reply types the proxy plugin's hooks are declared with (any raw server). */
type AnyRequest = FastifyRequest<RouteGenericInterface, RawServerBase>
type AnyReply = FastifyReply<RouteGenericInterface, RawServerBase>

/** Where the pre-handler decided this request goes (read by getUpstream and onError). */
const targets = new WeakMap<AnyRequest, { service: ServiceName; origin: string }>()

/** The raw error under reply-from's wrapper: its `code` tells what went wrong on the wire. */
function wireCode(error: Error): string {
  const { cause, code } = error as { cause?: { code?: string }; code?: string }
  return cause?.code ?? code ?? ''
}

/**
 * Every public path through `@fastify/http-proxy` to the service the route table names, as an ALB
 * would: round robin over its instances, never retried (a POST may have done its work), and each
 * failure a problem+json — 503 when the upstream was never reached (that instance is skipped for a
 * while), 504 when it did not answer in time, 502 when the exchange broke — all with Retry-After.
 */
export async function proxyRoutes(app: FastifyInstance, options: ProxyOptions) {
  const { pool, routes, retryAfterSeconds } = options
  const retryAfter = { 'retry-after': String(retryAfterSeconds) }

  // The plugin declares its hooks for any raw server (HTTP/2 too); this gateway is plain HTTP/1.
  const problem = (
    reply: AnyReply,
    body: Parameters<typeof sendProblem>[1],
    headers?: Record<string, string>,
  ) => sendProblem(reply as FastifyReply, body, headers)
  const unavailable = (reply: AnyReply, detail: string) =>
    problem(
      reply,
      { title: 'Service temporarily unavailable', status: 503, detail, code: 'dependency_unavailable' },
      retryAfter,
    )

  function route(request: AnyRequest, reply: AnyReply, done: () => void) {
    const decision = routeRequest(request.url, routes)
    if (decision.kind === 'not_found') {
      const detail = `No route for ${request.method} ${decision.path}`
      return void problem(reply, { title: 'Not found', status: 404, detail, code: 'not_found' })
    }
    const origin = pool.pick(decision.service)
    if (!origin) return void unavailable(reply, `${decision.service} has no instance configured`)
    targets.set(request, { service: decision.service, origin })
    done()
  }

  function onError(reply: AnyReply, { error }: { error: Error }) {
    const request = reply.request as FastifyRequest
    if (isClientHangup(request)) {
      // The client left; the upstream is fine. Counted and sampled, not a failure of ours.
      request.server.serviceEvents.recordHangup(request)
      return void reply.raw.destroy()
    }
    const target = targets.get(reply.request)
    const code = wireCode(error)
    reply.request.log.warn({ err: error, ...target }, 'upstream request failed')
    const service = target?.service ?? 'the service'
    if (CONNECT_ERRORS.has(code)) {
      if (target) pool.markDown(target.origin)
      return void unavailable(reply, `${service} did not answer; try again shortly`)
    }
    const timedOut = TIMEOUT_ERRORS.has(code) || (error as { statusCode?: number }).statusCode === 504
    problem(
      reply,
      timedOut
        ? {
            title: 'Gateway timeout',
            status: 504,
            detail: `${service} did not answer in time`,
            code: 'gateway_timeout',
          }
        : {
            title: 'Bad gateway',
            status: 502,
            detail: `${service} broke off the exchange`,
            code: 'bad_gateway',
          },
      retryAfter,
    )
  }

  await app.register(httpProxy, {
    // No fixed upstream: getUpstream below names the instance for each request.
    upstream: '',
    // Our keep-alive pool, shared with the docs fetches and closed by the gateway. reply-from has its
    // own copy of undici, the same request() at another version.
    undici: options.agent as unknown as NonNullable<FastifyHttpProxyOptions['undici']>,
    disableRequestLogging: true,
    // Bodies are parsed (buffered, size-limited) by the gateway itself; see buildGateway.
    proxyPayloads: false,
    internalRewriteLocationHeader: false,
    preHandler: route,
    handler(request, reply, dest, replyOptions) {
      // A buffered body goes out as it came in (reply-from would re-encode a JSON one otherwise).
      const withBody = request.method !== 'GET' && request.method !== 'HEAD'
      const body = withBody && request.body instanceof Buffer ? request.body : undefined
      const contentType = request.headers['content-type'] ?? 'application/octet-stream'
      return reply.from(dest, body ? { ...replyOptions, body, contentType } : replyOptions)
    },
    replyOptions: {
      getUpstream: (request) => targets.get(request)?.origin ?? '',
      rewriteRequestHeaders: (request, headers) => upstreamRequestHeaders(request, headers),
      rewriteHeaders: (headers, request) => ({
        ...endToEnd(headers),
        'x-request-id': String(request?.id),
      }),
      timeout: options.timeoutMs,
      // reply-from retries a GET that got a 503 up to ten times by default: the upstream said no.
      retryDelay: () => null,
      onError,
    },
  })
}
