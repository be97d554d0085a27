import rateLimit from '@fastify/rate-limit'
import { rateLimited } from '../errors.ts'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { FallbackRateLimitStore } from './rate-limit-store.ts'

export interface AuthRateLimitOptions {
  max: number
  windowSeconds: number
  /** A Redis answer slower than this counts as a failure: the per-instance count decides instead. */
  redisTimeoutMs: number
}

/**
 * Per-client-IP limits for the credential endpoints, counted in Redis so every instance shares
 * them (keys live under the app's ioredis keyPrefix). Opt-in per route with
 * `config: { rateLimit: {} }`. The limit runs onRequest, before the body is parsed or a password
 * is hashed. When Redis is unreachable or stalled, each instance keeps limiting with its own count
 * (FallbackRateLimitStore): never fail open, never wait on Redis.
 */
export const rateLimitPlugin = fp<AuthRateLimitOptions>(
  async (app: FastifyInstance, { max, windowSeconds, redisTimeoutMs }) => {
    let lastWarning = 0
    const options = {
      redis: app.redis,
      timeoutMs: redisTimeoutMs,
      onFallback: (error: Error) => {
        // At most one line a second: during an outage every credential request lands here.
        if (Date.now() - lastWarning < 1_000) return
        lastWarning = Date.now()
        app.log.warn({ err: error }, 'rate limit counted per instance: Redis unavailable')
      },
    }
    await app.register(rateLimit, {
      global: false,
      max,
      timeWindow: windowSeconds * 1000,
      store: class extends FallbackRateLimitStore {
        constructor() {
          super(options)
        }
      },
      errorResponseBuilder: (_request, context) =>
        rateLimited(context.after, Math.max(1, Math.ceil(context.ttl / 1000))),
    })
  },
  { name: 'auth-rate-limit', dependencies: ['flash-redis'] },
)
