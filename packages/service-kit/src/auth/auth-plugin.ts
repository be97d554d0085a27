import type { AuthUser } from '@flash/contracts'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ProblemError } from '../problem.ts'
import type { RevocationList } from './revocation-list.ts'
import { InvalidTokenError, type TokenVerifier } from './token-verifier.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `app.authenticate`; null on routes that do not require it. */
    user: AuthUser | null
  }
  interface FastifyInstance {
    /** preHandler: a valid, unrevoked Bearer access token, or 401. */
    authenticate: (request: FastifyRequest) => Promise<void>
    /** preHandler: authenticate, then require the admin role (403 otherwise). */
    requireAdmin: (request: FastifyRequest) => Promise<void>
    /**
     * preHandler: a validly signed, unexpired Bearer token, revoked or not. Only for logout, so that
     * ending a session that is already ended is a no-op 204 (a retry whose first answer was lost).
     */
    verifyBearer: (request: FastifyRequest) => Promise<void>
  }
}

export interface AuthPluginOptions {
  verifier: TokenVerifier
  revocations: RevocationList
}

const CHALLENGE = { 'www-authenticate': 'Bearer realm="flash-sale"' }

function bearerToken(request: FastifyRequest): string {
  // Tokens travel only in the Authorization header, never in a query string or cookie.
  const header = request.headers.authorization
  if (!header?.startsWith('Bearer ')) {
    throw new ProblemError('unauthorized', 'A Bearer access token is required', { headers: CHALLENGE })
  }
  return header.slice(7).trim()
}

export const authPlugin = fp<AuthPluginOptions>(
  async (app: FastifyInstance, { verifier, revocations }) => {
    app.decorateRequest('user', null)

    const verify = async (request: FastifyRequest): Promise<AuthUser> => {
      try {
        return await verifier.verify(bearerToken(request))
      } catch (error) {
        if (error instanceof InvalidTokenError) {
          throw new ProblemError('unauthorized', 'The access token is invalid or expired', {
            headers: { 'www-authenticate': 'Bearer realm="flash-sale", error="invalid_token"' },
          })
        }
        throw error
      }
    }

    const authenticate = async (request: FastifyRequest) => {
      const user = await verify(request)
      if (revocations.isRevoked(user.jti, user.sid)) {
        throw new ProblemError('token_revoked', 'The access token has been revoked', {
          headers: { 'www-authenticate': 'Bearer realm="flash-sale", error="invalid_token"' },
        })
      }
      request.user = user
    }

    app.decorate('authenticate', authenticate)
    app.decorate('verifyBearer', async (request: FastifyRequest) => {
      request.user = await verify(request)
    })
    app.decorate('requireAdmin', async (request: FastifyRequest) => {
      await authenticate(request)
      if (request.user?.role !== 'admin')
        throw new ProblemError('forbidden', 'This action requires the admin role')
    })
  },
  { name: 'flash-auth' },
)
