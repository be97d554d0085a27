import type { Readable } from 'node:stream'
import { ERROR_CODES } from '@flash/contracts'
import { matchRoute, type RouteRule } from '@flash/routes'
import { sendProblem } from '@flash/service-kit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Dispatcher } from 'undici'
import { BodyTooLargeError, requestBody, responseBody } from './bodies.ts'
import { endToEnd, upstreamRequestHeaders } from './forward-headers.ts'
import type { UpstreamPool } from './upstreams.ts'

export interface ProxyOptions {
  agent: Dispatcher
  pool: UpstreamPool
  routes: readonly RouteRule[]
  /** Longest wait for an upstream's response headers, then for each chunk of its body. */
  timeoutMs: number
  /** Sent as Retry-After when an upstream cannot be reached. */
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

/**
 * Dot segments or encoded slashes could make the upstream's router see a different path than the one
 * matched here (e.g. `/api/orders/../../internal/x`), so they are refused before routing.
 */
function isPlainPath(path: string): boolean {
  if (/%2f|%5c|\\/i.test(path)) return false
  try {
    return !path.split('/').some((segment) => {
      const s = decodeURIComponent(segment)
      return s === '.' || s === '..'
    })
  } catch {
    return false
  }
}

function notFound(request: FastifyRequest, reply: FastifyReply, path: string) {
  return sendProblem(reply, {
    title: 'Not found',
    status: ERROR_CODES.not_found,
    detail: `No route for ${request.method} ${path}`,
    code: 'not_found',
  })
}

/** The catch-all route: picks the service by the route table and relays the exchange byte for byte. */
export function createProxyHandler({ agent, pool, routes, timeoutMs, retryAfterSeconds }: ProxyOptions) {
  return async function proxy(request: FastifyRequest, reply: FastifyReply) {
    const url = request.url
    const path = url.split('?', 1)[0] ?? url
    // `/internal/*` is absent from the route table; checked here too so it stays unreachable even if
    // a rule for it were ever added by mistake.
    if (!isPlainPath(path) || path === '/internal' || path.startsWith('/internal/')) {
      return notFound(request, reply, path)
    }
    const service = matchRoute(path, routes)
    if (!service) return notFound(request, reply, path)
    const origin = pool.pick(service)
    const unavailable = (detail: string) =>
      sendProblem(
        reply,
        { title: 'Service temporarily unavailable', status: 503, detail, code: 'dependency_unavailable' },
        { 'retry-after': String(retryAfterSeconds) },
      )
    if (!origin) return unavailable(`${service} has no instance configured`)

    let outgoing: Buffer | null
    try {
      outgoing = await requestBody(request.raw)
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error
      // The rest of the upload is never read, so this connection cannot carry another request.
      reply.header('connection', 'close')
      return sendProblem(reply, {
        title: 'Payload too large',
        status: ERROR_CODES.payload_too_large,
        detail: error.message,
        code: 'payload_too_large',
      })
    }

    let status: number
    let headers: Record<string, string | string[]>
    let body: Buffer | Readable | undefined
    try {
      const response = await agent.request({
        origin,
        path: url,
        method: request.method as Dispatcher.HttpMethod,
        headers: upstreamRequestHeaders(request),
        body: outgoing,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      })
      status = response.statusCode
      headers = endToEnd(response.headers as Record<string, string | string[]>)
      if (request.method === 'HEAD' || status === 204 || status === 304) await response.body.dump()
      else body = await responseBody(response)
    } catch (error) {
      const code = (error as { code?: string }).code ?? ''
      if (CONNECT_ERRORS.has(code)) pool.markDown(origin)
      request.log.warn({ err: error, service, origin }, 'upstream request failed')
      return unavailable(`${service} did not answer; try again shortly`)
    }
    reply.code(status).headers(headers).header('x-request-id', request.id)
    return body === undefined ? reply.send() : reply.send(body)
  }
}
