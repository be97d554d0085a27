import underPressure from '@fastify/under-pressure'
import type { FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import { sendProblem } from './error-handler.ts'

export interface SheddingOptions {
  /** Shed while the event loop's mean delay over the last sample exceeds this (ms); 0 turns it off. */
  maxEventLoopDelayMs: number
  /** Shed while the event loop is busier than this fraction (0–1) of the last sample; 0 turns it off. */
  maxEventLoopUtilization: number
  /** How often the process is sampled (ms): how quickly shedding starts and stops. */
  sampleIntervalMs: number
  /** What shed requests are told to wait before retrying. */
  retryAfterSeconds: number
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** under-pressure's per-route override; `NOT_SHED` answers even under pressure. */
    pressureHandler?: (request: FastifyRequest, reply: FastifyReply, type: string, value?: number) => void
  }
}

/**
 * Route config for what must answer even under pressure: `/health` (an orchestrator that sees a
 * loaded instance as dead restarts it, losing its in-flight work) and `/metrics` (overload is when
 * the numbers matter most). Both are cheap. `/ready` is shed: it tells the balancer to back off.
 */
export const NOT_SHED = { pressureHandler: () => undefined }

/**
 * Load shedding: when the process is overloaded every request (except NOT_SHED routes) is answered at
 * once with 503 problem+json and Retry-After, before any parsing or downstream call — a quick "come
 * back later" instead of a queue that grows until clients time out. The check per request is a few
 * comparisons against values sampled every `sampleIntervalMs`; nothing is logged per shed request
 * beyond a sample (ServiceEvents: counted in requests_shed_total, at most a few lines a second), so
 * shedding cannot feed the overload.
 */
export const sheddingPlugin = fp<SheddingOptions>(
  async (app: FastifyInstance, options) => {
    const { maxEventLoopDelayMs, maxEventLoopUtilization, sampleIntervalMs, retryAfterSeconds } = options
    if (maxEventLoopDelayMs <= 0 && maxEventLoopUtilization <= 0) return
    const retryAfter = { 'retry-after': String(retryAfterSeconds) }
    // Start-up (compiling, connecting) blocks the loop before the first request, and one slow sample
    // can be a GC pause or a neighbour's burst: neither is an overload. So requests are shed only
    // when pressure was seen at two checks in a row, one sample interval apart, after the app is ready.
    let pressured = 0
    let timer: NodeJS.Timeout | undefined
    app.addHook('onReady', async () => {
      timer = setInterval(() => {
        pressured = app.isUnderPressure() ? pressured + 1 : 0
      }, sampleIntervalMs).unref()
    })
    app.addHook('onClose', async () => clearInterval(timer))
    await app.register(underPressure, {
      maxEventLoopDelay: maxEventLoopDelayMs,
      maxEventLoopUtilization,
      eventLoopUtilizationMode: 'interval',
      sampleInterval: sampleIntervalMs,
      pressureHandler: (request, reply: FastifyReply, type: string) => {
        if (pressured < 2) return
        const detail = `This instance is overloaded (${type}); retry after ${retryAfterSeconds} s.`
        app.serviceEvents.recordShed(request, 'overloaded', detail)
        sendProblem(
          reply,
          {
            title: 'Service overloaded',
            status: 503,
            detail,
            code: 'overloaded',
          },
          retryAfter,
        )
      },
    })
  },
  { name: 'flash-shedding', dependencies: ['flash-error-handler'] },
)
