import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { errorHandlerPlugin } from './error-handler.ts'
import { loggerOptions } from './logger.ts'
import { metricsPlugin } from './metrics.ts'
import { openApiPlugin } from './openapi.ts'
import { genReqId, REQUEST_ID_HEADER } from './request-id.ts'

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
    requestIdLogLabel: 'request_id',
    bodyLimit: options.bodyLimit ?? 16 * 1024,
    // Behind the ALB/gateway: the client address comes from X-Forwarded-For (rate limits key on it).
    trustProxy: true,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>()

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
