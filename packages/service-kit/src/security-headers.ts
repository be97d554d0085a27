import helmet from '@fastify/helmet'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'

/** HSTS for a year, subdomains included; sent only on HTTPS (RFC 6797 §7.2: ignored over HTTP). */
const HSTS = 'max-age=31536000; includeSubDomains'

/**
 * Security headers on every answer of every service (@fastify/helmet): `nosniff`, frame denial, no
 * referrer, same-origin resource policy, and a CSP that lets an API answer load nothing at all
 * (`default-src 'none'; frame-ancestors 'none'`). Swagger UI at /docs sets its own CSP for its
 * pages (swagger-ui `staticCSP`), still without framing. HSTS when the request came over HTTPS —
 * in AWS the ALB terminates TLS and says so in X-Forwarded-Proto (trusted through TRUST_PROXY).
 * Helmet's headers that only matter to documents a browser renders as pages are left off.
 */
export const securityHeadersPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] },
      },
      frameguard: { action: 'deny' },
      hsts: false,
      crossOriginEmbedderPolicy: false,
      crossOriginOpenerPolicy: false,
      originAgentCluster: false,
      dnsPrefetchControl: false,
      ieNoOpen: false,
      xPermittedCrossDomainPolicies: false,
      xXssProtection: false,
    })
    app.addHook('onRequest', (request, reply, done) => {
      if (request.protocol === 'https') reply.header('strict-transport-security', HSTS)
      done()
    })
  },
  { name: 'flash-security-headers' },
)

/**
 * onRequest hook for answers that carry credentials or personal data (tokens, the account):
 * never stored by a browser or a proxy (RFC 6749 §5.1 requires it for token responses).
 */
export function noStore(_request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  reply.header('cache-control', 'no-store')
  reply.header('pragma', 'no-cache')
  done()
}
