import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { DestinationStream } from 'pino'
import { errorHandlerPlugin } from './error-handler.ts'
import { securityHeadersPlugin } from './security-headers.ts'
import { ServiceEvents } from './service-events.ts'
import { lazyChildLogger, loggerOptions } from './logger.ts'
import { metricsPlugin } from './metrics.ts'
import { openApiPlugin } from './openapi.ts'
import { genReqId, requestIdPlugin } from './request-id.ts'
import { RequestLog, type RequestLogOptions } from './request-log.ts'
import { type SheddingOptions, sheddingPlugin } from './shedding.ts'
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
  /** Which requests get a line of their own (default: 5xx and ≥ 1 s, at most 50 lines/s). */
  requestLog?: RequestLogOptions
  /** Load shedding (default: on, see DEFAULT_SHEDDING). */
  shedding?: SheddingOptions
  /** Where log lines go (default stdout); tests pass a stream to read them. */
  logStream?: DestinationStream
  /** Largest accepted body in bytes; larger → 413 problem+json. */
  bodyLimit?: number
  /** Proxies trusted to set X-Forwarded-For (proxy-addr syntax: 'loopback', CIDRs, comma-separated). */
  trustProxy?: string
}

/** The same values as the LOG_* and SHED_* defaults in @flash/config (serverEnv). */
export const DEFAULT_REQUEST_LOG: RequestLogOptions = { slowMs: 1_000, maxLinesPerSecond: 50 }
export const DEFAULT_SHEDDING: SheddingOptions = {
  maxEventLoopDelayMs: 1_000,
  maxEventLoopUtilization: 0,
  sampleIntervalMs: 250,
  retryAfterSeconds: 2,
}

/** The kit's options from a service's validated serverEnv config: one line in every app.ts. */
export function serviceAppConfig(config: {
  LOG_LEVEL: string
  TRUST_PROXY: string
  LOG_SLOW_REQUEST_MS: number
  LOG_MAX_REQUEST_LINES_PER_SECOND: number
  SHED_MAX_EVENT_LOOP_DELAY_MS: number
  SHED_MAX_EVENT_LOOP_UTILIZATION: number
  SHED_SAMPLE_INTERVAL_MS: number
  SHED_RETRY_AFTER_SECONDS: number
}): Pick<ServiceAppOptions, 'logLevel' | 'trustProxy' | 'requestLog' | 'shedding'> {
  return {
    logLevel: config.LOG_LEVEL,
    trustProxy: config.TRUST_PROXY,
    requestLog: {
      slowMs: config.LOG_SLOW_REQUEST_MS,
      maxLinesPerSecond: config.LOG_MAX_REQUEST_LINES_PER_SECOND,
    },
    shedding: {
      maxEventLoopDelayMs: config.SHED_MAX_EVENT_LOOP_DELAY_MS,
      maxEventLoopUtilization: config.SHED_MAX_EVENT_LOOP_UTILIZATION,
      sampleIntervalMs: config.SHED_SAMPLE_INTERVAL_MS,
      retryAfterSeconds: config.SHED_RETRY_AFTER_SECONDS,
    },
  }
}

/**
 * The Fastify instance every service starts from: pino JSON logs with secrets redacted (a line per
 * request only when it failed or was slow), x-request-id in and out, load shedding, problem+json
 * errors, OpenAPI + Swagger UI at /docs, /metrics.
 * The service adds its clients, `/health`+`/ready` (healthPlugin with its checks) and routes.
 */
export async function createServiceApp(options: ServiceAppOptions): Promise<ServiceApp> {
  const logger = loggerOptions(options.service, options.logLevel ?? 'info')
  const app = Fastify({
    logger: options.logStream ? { ...logger, stream: options.logStream } : logger,
    logController: new RequestLog(options.requestLog ?? DEFAULT_REQUEST_LOG),
    childLoggerFactory: lazyChildLogger,
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

  // Before shedding, so a shed answer carries the request id too.
  await app.register(requestIdPlugin)
  await app.register(securityHeadersPlugin)
  const events = new ServiceEvents()
  await app.register(errorHandlerPlugin, { events })
  await app.register(sheddingPlugin, options.shedding ?? DEFAULT_SHEDDING)
  await app.register(openApiPlugin, {
    title: options.service,
    version: options.version ?? '1.0.0',
    ...(options.description ? { description: options.description } : {}),
  })
  await app.register(metricsPlugin, { service: options.service, extra: events.metrics })
  return app
}
