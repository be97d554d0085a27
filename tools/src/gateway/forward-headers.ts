import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyRequest } from 'fastify'

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1): never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])

function connectionTokens(headers: IncomingHttpHeaders | Record<string, unknown>): Set<string> {
  const value = headers.connection
  const text = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : ''
  return new Set(
    text
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  )
}

/** End-to-end headers of a message: everything but hop-by-hop ones and those `Connection` names. */
export function endToEnd<T>(headers: Record<string, T>): Record<string, T> {
  const named = connectionTokens(headers)
  const out: Record<string, T> = {}
  for (const [key, value] of Object.entries(headers)) {
    const k = key.toLowerCase()
    if (value === undefined || HOP_BY_HOP.has(k) || named.has(k)) continue
    out[k] = value
  }
  return out
}

/**
 * What the upstream sees: the client's headers plus the request id and X-Forwarded-*. The gateway is
 * the edge, so X-Forwarded-For is replaced, not appended: services trust loopback proxies, and a
 * client-supplied chain from a loopback client would otherwise let it choose its rate-limit key.
 */
export function upstreamRequestHeaders(request: FastifyRequest): Record<string, string | string[]> {
  const headers = endToEnd(request.headers) as Record<string, string | string[]>
  delete headers.host
  headers['x-request-id'] = String(request.id)
  headers['x-forwarded-for'] = request.socket.remoteAddress ?? ''
  headers['x-forwarded-proto'] = request.protocol
  if (request.headers.host) headers['x-forwarded-host'] = request.headers.host
  return headers
}
