import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export const REQUEST_ID_HEADER = 'x-request-id'
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * Honour a caller's (or the gateway's) x-request-id so one id follows the order through every
 * service and the queue; anything odd-looking is replaced, so logs can't be injected through it.
 */
export function genReqId(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER]
  const value = Array.isArray(incoming) ? incoming[0] : incoming
  return value && SAFE_ID.test(value) ? value : randomUUID()
}

/**
 * Every answer carries its request id, so a client can quote it. A callback hook rather than an
 * async one: it runs on every request, and an async hook costs a promise and a microtask turn.
 */
export const requestIdPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', (request, reply, done) => {
      reply.header(REQUEST_ID_HEADER, request.id)
      done()
    })
  },
  { name: 'flash-request-id' },
)
