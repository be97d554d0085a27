import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import { Counter } from 'prom-client'
import { LogSampler } from './log-sampler.ts'

/** What a security event is about; `outcome` is the problem code (or a short verb) it ended in. */
export type SecurityEvent = 'unauthenticated' | 'forbidden' | 'rate_limited' | 'revocation'

/** Why a request was answered without doing its work. */
export type ShedReason = 'overloaded' | 'dependency_unavailable'

/** Requests answered as shed: their sampled line is written here, so the request log skips them. */
const shedRequests = new WeakSet<FastifyRequest>()

/** Whether `request` was shed (answered 503 without doing its work): an expected answer, not a failure. */
export const wasShed = (request: FastifyRequest): boolean => shedRequests.has(request)

export interface ServiceEventsOptions {
  /** Sampled lines per second and kind (security, shed, hang-up); every event is counted anyway. */
  maxLinesPerSecond?: number
}

/**
 * The events an attack or an overload produces by the thousand — refused credentials, 401/403/429s,
 * revocations, shed requests, clients that hang up — each counted exactly in `/metrics` and logged
 * as a structured line at a bounded rate, without a stack trace (nothing went wrong in our code).
 * Lines carry who (user id when known, client address), where (method and route pattern) and the
 * outcome; never a password, a token or a request body.
 */
export class ServiceEvents {
  readonly security = new Counter({
    name: 'security_events_total',
    help: 'Security events (refused credentials and tokens, 403, 429, revocations) by event and outcome',
    labelNames: ['event', 'outcome'],
    registers: [],
  })
  readonly shed = new Counter({
    name: 'requests_shed_total',
    help: 'Requests answered 503 without doing their work, by reason (overload, a dependency down)',
    labelNames: ['reason'],
    registers: [],
  })
  readonly hangups = new Counter({
    name: 'client_hangups_total',
    help: 'Requests whose client closed the connection before the answer',
    registers: [],
  })
  readonly #securityLines: LogSampler
  readonly #shedLines: LogSampler
  readonly #hangupLines: LogSampler

  constructor({ maxLinesPerSecond = 10 }: ServiceEventsOptions = {}) {
    this.#securityLines = new LogSampler(maxLinesPerSecond)
    this.#shedLines = new LogSampler(maxLinesPerSecond)
    this.#hangupLines = new LogSampler(maxLinesPerSecond)
  }

  get metrics() {
    return [this.security, this.shed, this.hangups]
  }

  recordSecurity(
    request: FastifyRequest,
    event: SecurityEvent,
    outcome: string,
    extra: Record<string, string | number> = {},
  ): void {
    this.security.inc({ event, outcome })
    const log = request.log
    if (!this.#securityLines.admit((n) => summary(log, 'security events', n))) return
    log.warn(
      {
        security: {
          event,
          outcome,
          user_id: request.user?.id ?? null,
          client: request.ip,
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          ...extra,
        },
      },
      `security event: ${event}`,
    )
  }

  recordShed(request: FastifyRequest, reason: ShedReason, detail: string, cause?: unknown): void {
    this.shed.inc({ reason })
    shedRequests.add(request)
    const log = request.log
    if (!this.#shedLines.admit((n) => summary(log, 'shed requests', n))) return
    const because = cause instanceof Error ? { cause: cause.message } : {}
    log.warn(
      { shed: { reason, detail, route: request.routeOptions.url ?? 'unmatched', ...because } },
      `request shed: ${reason}`,
    )
  }

  recordHangup(request: FastifyRequest | { log: FastifyBaseLogger; method: string; url: string }): void {
    this.hangups.inc()
    const log = request.log
    if (!this.#hangupLines.admit((n) => summary(log, 'client hang-ups', n))) return
    log.info({ req: { method: request.method, url: request.url.split('?', 1)[0] } }, 'client hung up')
  }
}

function summary(log: FastifyBaseLogger, what: string, suppressed: number): void {
  log.warn({ suppressed }, `${what}: ${suppressed} more line(s) in the last second(s) not written`)
}

/**
 * True when the client is gone: its connection closed before we answered (a hang-up during the body
 * upload surfaces as an "aborted" error). Nobody reads the answer; it is not our failure.
 */
export function isClientHangup(request: FastifyRequest): boolean {
  const raw = request.raw as FastifyRequest['raw'] & { aborted?: boolean }
  return raw.aborted === true || raw.socket?.destroyed === true
}
