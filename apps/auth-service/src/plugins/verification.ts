import { authPlugin, RevocationList, TokenVerifier } from '@flash/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    revocations: RevocationList
  }
}

export interface VerificationOptions {
  issuer: string
  audience: string
}

/**
 * auth-service checks its own Bearer tokens exactly like every other service: the shared
 * TokenVerifier (fed with its own public key instead of a JWKS URL), the shared RevocationList
 * and the shared authPlugin (`app.authenticate`).
 */
export const verificationPlugin = fp<VerificationOptions>(
  async (app: FastifyInstance, { issuer, audience }) => {
    const revocations = new RevocationList(app.redis)
    try {
      await revocations.start()
    } catch (error) {
      await revocations.stop()
      throw error
    }
    app.addHook('onClose', async () => {
      await revocations.stop()
    })
    app.decorate('revocations', revocations)
    const verifier = new TokenVerifier({ keys: app.signingKeys.verifierKeys, issuer, audience })
    await app.register(authPlugin, { verifier, revocations })
  },
  { name: 'auth-verification', dependencies: ['flash-redis', 'auth-signing-keys'] },
)
