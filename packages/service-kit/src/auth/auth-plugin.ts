import type { AuthUser } from '@flash/contracts'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
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
    /** onRequest/preHandler hook: a valid, unrevoked Bearer access token, or 401. */
    authenticate: (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void
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

    const verify = async (token: string): Promise<AuthUser> => {
      try {
        return await verifier.verify(token)
      } catch (error) {
        if (error instanceof InvalidTokenError) {
          throw new ProblemError('unauthorized', 'The access token is invalid or expired', {
            headers: { 'www-authenticate': 'Bearer realm="flash-sale", error="invalid_token"' },
          })
        }
        throw error
      }
    }

    const admit = (request: FastifyRequest, user: AuthUser) => {
      if (revocations.isRevoked(user.jti, user.sid)) {
        throw new ProblemError('token_revoked', 'The access token has been revoked', {
          headers: { 'www-authenticate': 'Bearer realm="flash-sale", error="invalid_token"' },
        })
      }
      request.user = user
    }

    const authenticateAsync = async (request: FastifyRequest) =>
      admit(request, await verify(bearerToken(request)))

    // A callback hook: a token seen before (nearly every request in a sale) is checked with no
    // promise and no microtask turn; only a new token takes the async signature check.
    const authenticate = (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      let token: string
      let user: AuthUser | undefined
      try {
        token = bearerToken(request)
        user = verifier.cached(token)
        if (user) admit(request, user)
      } catch (error) {
        done(error as Error)
        return
      }
      if (user) done()
      else
        verify(token)
          .then((verified) => admit(request, verified))
          .then(() => done(), done)
    }

    app.decorate('authenticate', authenticate)
    app.decorate('verifyBearer', async (request: FastifyRequest) => {
      request.user = await verify(bearerToken(request))
    })
    app.decorate('requireAdmin', async (request: FastifyRequest) => {
      await authenticateAsync(request)
      if (request.user?.role !== 'admin')
        throw new ProblemError('forbidden', 'This action requires the admin role')
    })
  },
  { name: 'flash-auth' },
)
