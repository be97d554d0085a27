import type { Jwks } from '@flash/contracts'
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose'

export interface SigningKeys {
  kid: string
  privateKey: KeyObject
  /** What `/.well-known/jwks.json` publishes. */
  jwks: Jwks
  /** The same public key set, for this service's own TokenVerifier. */
  verifierKeys: JWTVerifyGetKey
}

declare module 'fastify' {
  interface FastifyInstance {
    signingKeys: SigningKeys
  }
}

export interface SigningKeysOptions {
  privateKeyPem: string
  keyId: string
}

/** Loads the Ed25519 private key once at boot; anything but Ed25519 refuses to start. */
export function loadSigningKeys({ privateKeyPem, keyId }: SigningKeysOptions): SigningKeys {
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey({ key: privateKeyPem, format: 'pem' })
  } catch (error) {
    throw new Error('JWT_PRIVATE_KEY is not a readable PKCS#8 PEM private key', { cause: error })
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`JWT_PRIVATE_KEY must be an Ed25519 key (got ${privateKey.asymmetricKeyType})`)
  }
  const { kty, crv, x } = createPublicKey(privateKey).export({ format: 'jwk' })
  const jwk = { kty: kty!, crv: crv!, x: x!, kid: keyId, alg: 'EdDSA', use: 'sig' }
  return { kid: keyId, privateKey, jwks: { keys: [jwk] }, verifierKeys: createLocalJWKSet({ keys: [jwk] }) }
}

export const signingKeysPlugin = fp<SigningKeysOptions>(
  async (app: FastifyInstance, options) => {
    app.decorate('signingKeys', loadSigningKeys(options))
  },
  { name: 'auth-signing-keys' },
)
