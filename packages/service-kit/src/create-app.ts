import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { errorHandlerPlugin } from './error-handler.ts'
import { loggerOptions } from './logger.ts'
import { metricsPlugin } from './metrics.ts'
import { openApiPlugin } from './openapi.ts'
import { genReqId, REQUEST_ID_HEADER } from './request-id.ts'
import { validatorCompiler } from './validation.ts'

export type ServiceApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>

export interface ServiceAppOptions {
  service: string
  version?: string
  description?: string
  logLevel?: string
  /** Largest accepted body in bytes; larger → 413 problem+json. */
  bodyLimit?: number
  /** Proxies trusted to set X-Forwarded-For (proxy-addr syntax: 'loopback', CIDRs, comma-separated). */
  trustProxy?: string
}

/**
 * The Fastify instance every service starts from: pino JSON logs with secrets redacted,
 * x-request-id in and out, problem+json errors, OpenAPI + Swagger UI at /docs, /metrics.
 * The service adds its clients, `/health`+`/ready` (healthPlugin with its checks) and routes.
 */
export async function createServiceApp(options: ServiceAppOptions): Promise<ServiceApp> {
  const app = Fastify({
    logger: loggerOptions(options.service, options.logLevel ?? 'info'),
    genReqId,
    requestIdHeader: false,
    bodyLimit: options.bodyLimit ?? 16 * 1024,
    // Only the known proxy hops (gateway, ALB) may set X-Forwarded-For: rate limits key on the client
    // address, and a header anyone could forge would let them pick their own.
    trustProxy: options.trustProxy ?? 'loopback',
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>()
  app.setValidatorCompiler(validatorCompiler())
  // Bodies are JSON only: text/plain would otherwise reach validation and get a confusing 400.
  app.removeContentTypeParser('text/plain')

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id)
  })
  await app.register(errorHandlerPlugin)
  await app.register(openApiPlugin, {
    title: options.service,
    version: options.version ?? '1.0.0',
    ...(options.description ? { description: options.description } : {}),
  })
  await app.register(metricsPlugin, { service: options.service })
  return app
}
