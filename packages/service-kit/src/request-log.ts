import { type FastifyReply, type FastifyRequest, LogController } from 'fastify'
import type { Logger } from 'pino'
import { wasShed } from './service-events.ts'

/** Fastify's logger type omits it, but the logger is pino's. */
const debugOn = (request: FastifyRequest) => (request.log as Logger).isLevelEnabled('debug')

export interface RequestLogOptions {
  /** A request that took at least this long (ms) is logged at warn; 0 logs none as slow. */
  slowMs: number
  /** At most this many slow/5xx request lines per second and process; the rest are counted, then summarised. */
  maxLinesPerSecond: number
}

/**
 * Which requests get a log line of their own. Fastify's default writes two info lines per request,
 * which halved the sold-out path (measured: docs/benchmarks.md, issue 9). Here a request is logged only when it
 * failed (5xx, or an error Fastify saw; a shed 503 is ServiceEvents' to log) or was slow; at `debug` every request is logged as before.
 * Counts and latencies of everything else are in /metrics. Lines keep the request's child logger,
 * so each carries its `reqId`. The per-second cap stops an overload from writing a line per request
 * exactly when every request is slow, which would make the overload worse.
 */
export class RequestLog extends LogController {
  readonly #slowMs: number
  readonly #max: number
  #second = 0
  #written = 0
  #suppressed = 0

  constructor({ slowMs, maxLinesPerSecond }: RequestLogOptions) {
    super()
    this.#slowMs = slowMs
    this.#max = maxLinesPerSecond
  }

  override incomingRequest(request: FastifyRequest): void {
    if (debugOn(request)) request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const ms = reply.elapsedTime
    // A shed 503 is the overload answer working as designed, already counted and logged sampled by
    // ServiceEvents: an error line of its own here doubled the lines exactly when the service is busiest.
    if (wasShed(request)) return
    const failed = Boolean(error) || reply.statusCode >= 500
    const slow = this.#slowMs > 0 && ms >= this.#slowMs
    if (!failed && !slow) {
      if (debugOn(request)) {
        request.log.debug({ res: reply, responseTime: ms }, 'request completed')
      }
      return
    }
    if (!this.#admit(request)) return
    const line = {
      req: { method: request.method, url: request.url },
      res: reply,
      responseTime: ms,
      ...(error ? { err: error } : {}),
    }
    if (failed) request.log.error(line, 'request failed')
    else request.log.warn(line, 'slow request')
  }

  /** Unknown paths are a client's (or a scanner's) business: one line each only at debug. */
  override routeNotFound(request: FastifyRequest): void {
    if (debugOn(request)) request.log.debug(`Route ${request.method}:${request.url} not found`)
  }

  /** One line more this second? Reports how many were dropped when a new second starts. */
  #admit(request: FastifyRequest): boolean {
    const second = Math.floor(Date.now() / 1000)
    if (second !== this.#second) {
      if (this.#suppressed > 0) {
        request.log.warn({ suppressed: this.#suppressed }, 'request lines suppressed in the last second(s)')
      }
      this.#second = second
      this.#written = 0
      this.#suppressed = 0
    }
    if (this.#written < this.#max) {
      this.#written++
      return true
    }
    this.#suppressed++
    return false
  }
}
