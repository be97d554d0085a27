import rateLimit from '@fastify/rate-limit'
import { ProblemError } from '@flash/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export interface AuthRateLimitOptions {
  max: number
  windowSeconds: number
}

/**
 * Per-client-IP limits for the credential endpoints, counted in Redis so every instance shares
 * them (keys live under the app's ioredis keyPrefix). Opt-in per route with
 * `config: { rateLimit: {} }`. The limit runs onRequest, before the body is parsed or a password
 * is hashed. When Redis is unreachable the limit is skipped (fail open): logins keep working and
 * scrypt still makes guessing expensive.
 */
export const rateLimitPlugin = fp<AuthRateLimitOptions>(
  async (app: FastifyInstance, { max, windowSeconds }) => {
    await app.register(rateLimit, {
      global: false,
      max,
      timeWindow: windowSeconds * 1000,
      redis: app.redis,
      nameSpace: 'auth:rate:',
      skipOnError: true,
      errorResponseBuilder: (_request, context) =>
        new ProblemError('rate_limited', `Too many requests; retry in ${context.after}`, {
          retryAfter: Math.max(1, Math.ceil(context.ttl / 1000)),
        }),
    })
  },
  { name: 'auth-rate-limit', dependencies: ['flash-redis'] },
)
