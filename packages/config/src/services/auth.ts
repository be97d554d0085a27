import { type Static, Type } from 'typebox'
import { mysqlEnv, redisEnv, serverEnv, tokenVerifierEnv } from '../common.ts'

export const AuthEnv = Type.Object({
  ...serverEnv(3001),
  ...mysqlEnv,
  ...redisEnv,
  JWT_ISSUER: tokenVerifierEnv.JWT_ISSUER,
  JWT_AUDIENCE: tokenVerifierEnv.JWT_AUDIENCE,
  /** PKCS#8 PEM of an Ed25519 key. Only auth-service ever holds it. */
  JWT_PRIVATE_KEY: Type.String({ pattern: '-----BEGIN PRIVATE KEY-----' }),
  /** Published as `kid` in the JWKS so keys can be rotated without breaking verifiers. */
  JWT_KEY_ID: Type.String({ minLength: 1, maxLength: 64, default: 'auth-1' }),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 1, maximum: 900, default: 900 }),
  REFRESH_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 7_776_000, default: 2_592_000 }),
  /** log2 of scrypt's N. 15 ≈ 32 MiB per hash; tests and load tools may lower it. */
  PASSWORD_HASH_COST: Type.Integer({ minimum: 10, maximum: 20, default: 15 }),
  /** Requests per client IP per window on register/login/refresh, shared by all instances through Redis. */
  AUTH_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 20 }),
  AUTH_RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 60 }),
  /** Set both to create (or update) an admin account at start. */
  ADMIN_EMAIL: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 8, maxLength: 128 })),
})
export type AuthConfig = Static<typeof AuthEnv>
