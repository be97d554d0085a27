import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ProblemError } from '../problem.ts'
import { UserCounts } from './user-counts.ts'

export interface UserThrottleOptions {
  /** Requests per user per window, on every authenticated route of this service. */
  max: number
  windowSeconds: number
  /** A sync slower than this is abandoned; the local counts keep deciding meanwhile. */
  redisTimeoutMs: number
  /** Counts are namespaced by this (the service): each service has its own budget per user. */
  scope: string
  /** How often counts are merged with Redis (ms). */
  syncMs?: number
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false`: this authenticated route is not counted (logout: ending a session is never refused). */
    userThrottle?: boolean
  }
  interface FastifyInstance {
    /** The per-user counts; `sync()` merges them with Redis now (tests, shutdown). */
    userThrottle: UserCounts
  }
}

/**
 * A per-user request limit on every authenticated route (IETF RateLimit headers, 429 + Retry-After
 * past it), shared across instances through Redis without a Redis call per request (UserCounts).
 * It runs in preParsing, after the route's onRequest authentication (so it knows the user) and
 * before the body is read or validated; routes without a user (public, or a refused token) pass
 * untouched. Costs per request: one Map lookup, a few additions and two short headers.
 */
export const userThrottlePlugin = fp<UserThrottleOptions>(
  async (app: FastifyInstance, { max, windowSeconds, redisTimeoutMs, scope, syncMs = 50 }) => {
    let lastWarning = 0
    const counts = new UserCounts({
      redis: app.redis,
      scope,
      windowMs: windowSeconds * 1000,
      timeoutMs: redisTimeoutMs,
      onSyncError: (error) => {
        // At most one line a second: during an outage every sync lands here.
        if (Date.now() - lastWarning < 1_000) return
        lastWarning = Date.now()
        app.log.warn(
          { err: { message: error.message } },
          'user rate limit counted per instance: Redis unavailable',
        )
      },
    })
    app.decorate('userThrottle', counts)
    const policy = `"user";q=${max};w=${windowSeconds}`
    let timer: NodeJS.Timeout | undefined
    app.addHook('onReady', async () => {
      timer = setInterval(() => void counts.sync(), syncMs).unref()
    })
    app.addHook('onClose', async () => clearInterval(timer))

    app.addHook('preParsing', (request: FastifyRequest, reply: FastifyReply, payload, done) => {
      const user = request.user
      if (!user || request.routeOptions.config.userThrottle === false) return done(null, payload)
      const { used, resetMs } = counts.hit(user.id, Date.now())
      const reset = Math.max(1, Math.ceil(resetMs / 1000))
      const remaining = Math.max(0, max - used)
      reply.header('ratelimit-policy', policy)
      reply.header('ratelimit', `"user";r=${remaining};t=${reset}`)
      if (used <= max) return done(null, payload)
      done(
        new ProblemError('rate_limited', `Too many requests for this account; retry in ${reset} s`, {
          retryAfter: reset,
        }),
      )
    })
  },
  { name: 'flash-user-throttle', dependencies: ['flash-redis', 'flash-auth'] },
)

/** The plugin's options from a service's validated config (userRateLimitEnv): one line in app.ts. */
export function userThrottleOptions(
  config: {
    USER_RATE_LIMIT_MAX: number
    USER_RATE_LIMIT_WINDOW_SECONDS: number
    USER_RATE_LIMIT_REDIS_TIMEOUT_MS: number
  },
  scope: string,
): UserThrottleOptions {
  return {
    max: config.USER_RATE_LIMIT_MAX,
    windowSeconds: config.USER_RATE_LIMIT_WINDOW_SECONDS,
    redisTimeoutMs: config.USER_RATE_LIMIT_REDIS_TIMEOUT_MS,
    scope,
  }
}
