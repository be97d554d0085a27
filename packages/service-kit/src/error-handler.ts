import type { Problem } from '@flash/contracts'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { isTransientDbError } from '@flash/db'
import { ProblemError, problemTypeUri, unavailable } from './problem.ts'
import { isClientHangup, type SecurityEvent, ServiceEvents } from './service-events.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Security events, shed requests and hang-ups: counted in /metrics, logged sampled. */
    serviceEvents: ServiceEvents
  }
}

const SECURITY_EVENT_OF: Record<number, SecurityEvent> = {
  401: 'unauthenticated',
  403: 'forbidden',
  429: 'rate_limited',
}

/** Fastify's own error codes that are the client's fault, mapped to our stable codes. */
const FASTIFY_CODES: Record<string, { code: string; status: number; title: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    status: 415,
    title: 'Unsupported media type',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'bad_request', status: 400, title: 'Bad request' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'malformed_json', status: 400, title: 'Malformed JSON' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'malformed_json', status: 400, title: 'Malformed JSON' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', status: 413, title: 'Payload too large' },
  FST_ERR_CTP_EMPTY_TYPE: { code: 'unsupported_media_type', status: 415, title: 'Unsupported media type' },
}

export function sendProblem(
  reply: FastifyReply,
  problem: Omit<Problem, 'type' | 'instance' | 'request_id'>,
  headers?: Record<string, string>,
): FastifyReply {
  const url = reply.request.url
  const query = url.indexOf('?')
  const body: Problem = {
    type: problemTypeUri(problem.code),
    ...problem,
    instance: query === -1 ? url : url.slice(0, query),
    request_id: String(reply.request.id),
  }
  if (headers) reply.headers(headers)
  return reply.code(problem.status).type('application/problem+json').send(body)
}

function toProblem(error: FastifyError | ProblemError, request: FastifyRequest) {
  if (error instanceof ProblemError) {
    const headers: Record<string, string> = { ...error.headers }
    if (error.retryAfter !== undefined) headers['retry-after'] = String(error.retryAfter)
    return {
      problem: {
        title: error.title,
        status: error.statusCode,
        detail: error.message,
        code: error.code,
        ...(error.errors ? { errors: error.errors } : {}),
      },
      headers,
    }
  }
  if ((error as FastifyError).validation) {
    const fe = error as FastifyError
    const errors = (fe.validation ?? []).map((v) => {
      const missing = (v.params as { missingProperty?: string } | undefined)?.missingProperty
      const path = `${fe.validationContext ?? 'body'}${v.instancePath.replace(/\//g, '.')}${missing ? `.${missing}` : ''}`
      return { path, message: v.message ?? 'is invalid' }
    })
    return {
      problem: {
        title: 'Request validation failed',
        status: 400,
        detail: errors.map((e) => `${e.path} ${e.message}`).join('; '),
        code: 'validation_failed',
        errors,
      },
      headers: {},
    }
  }
  const known = error.code ? FASTIFY_CODES[error.code] : undefined
  if (known) {
    return { problem: { ...known, detail: error.message }, headers: {} }
  }
  const status = error.statusCode ?? 500
  if (status === 429) {
    return {
      problem: { title: 'Too many requests', status, detail: error.message, code: 'rate_limited' },
      headers: {},
    }
  }
  if (status >= 400 && status < 500) {
    return {
      problem: { title: 'Bad request', status, detail: error.message, code: 'bad_request' },
      headers: {},
    }
  }
  // Anything else is our fault: log everything, tell the client nothing internal.
  if (isClientHangup(request)) {
    request.server.serviceEvents.recordHangup(request)
    return {
      problem: {
        title: 'Client closed request',
        status: 400,
        detail: 'The client closed the connection before the request was read',
        code: 'bad_request',
      },
      headers: {},
    }
  }
  request.log.error({ err: error }, 'unhandled error')
  return {
    problem: {
      title: 'Internal server error',
      status: 500,
      detail: 'An unexpected error occurred; quote the request id when reporting it.',
      code: 'internal_error',
    },
    headers: {},
  }
}

/** Every error and unknown route becomes RFC 9457 problem+json; 5xx details never leave the process. */
export const errorHandlerPlugin = fp<{ events?: ServiceEvents }>(
  async (app: FastifyInstance, options) => {
    const events = options.events ?? new ServiceEvents()
    app.decorate('serviceEvents', events)
    app.setErrorHandler((thrown: FastifyError | ProblemError, request, reply) => {
      // A lost, refused or overloaded MySQL connection, or a lock wait that timed out, is a
      // dependency failing, not a bug: 503 + Retry-After on every route, the request is safe to retry.
      const error = isTransientDbError(thrown) ? unavailable('The database', thrown) : thrown
      const { problem, headers } = toProblem(error, request)
      if (error instanceof ProblemError) {
        // Expected refusals, not faults of ours: counted, logged sampled, never with a stack trace.
        if (problem.code === 'overloaded' || problem.code === 'dependency_unavailable') {
          events.recordShed(request, problem.code, problem.detail, error.cause)
        } else if (SECURITY_EVENT_OF[problem.status]) {
          events.recordSecurity(request, SECURITY_EVENT_OF[problem.status]!, problem.code)
        }
      } else if (problem.status === 429) {
        events.recordSecurity(request, 'rate_limited', problem.code)
      }
      return sendProblem(reply, problem, headers)
    })
    app.setNotFoundHandler((request, reply) =>
      sendProblem(reply, {
        title: 'Not found',
        status: 404,
        detail: `No route for ${request.method} ${request.url.split('?')[0]}`,
        code: 'not_found',
      }),
    )
  },
  { name: 'flash-error-handler' },
)
