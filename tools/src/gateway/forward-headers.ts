import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyRequest, RawServerBase, RouteGenericInterface } from 'fastify'

/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1). reply-from drops only
 * `connection`, `transfer-encoding` and the names `Connection` lists; the rest must not cross the hop
 * either — an upstream's `keep-alive: timeout=…` describes its socket to us, not ours to the client.
 */
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

function connectionTokens(headers: IncomingHttpHeaders): Set<string> {
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
export function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = connectionTokens(headers)
  const out: IncomingHttpHeaders = {}
  for (const [key, value] of Object.entries(headers)) {
    const k = key.toLowerCase()
    if (value === undefined || HOP_BY_HOP.has(k) || named.has(k)) continue
    out[k] = value
  }
  return out
}

/**
 * What the upstream sees: the client's end-to-end headers (reply-from has set `host` to the upstream)
 * plus the request id and X-Forwarded-*. The gateway is the edge, so X-Forwarded-For is replaced, not
 * appended: services trust loopback proxies, and a client-supplied chain from a loopback client would
 * otherwise let it choose its rate-limit key.
 */
export function upstreamRequestHeaders(
  request: FastifyRequest<RouteGenericInterface, RawServerBase>,
  headers: IncomingHttpHeaders,
) {
  const out = endToEnd(headers)
  out['x-request-id'] = String(request.id)
  out['x-forwarded-for'] = request.socket.remoteAddress ?? ''
  out['x-forwarded-proto'] = request.protocol
  if (request.headers.host) out['x-forwarded-host'] = request.headers.host
  else delete out['x-forwarded-host']
  return out
}
