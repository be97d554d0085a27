import { type Static, Type } from 'typebox'
import { mysqlEnv, redisEnv, serverEnv, tokenVerifierEnv, userRateLimitEnv } from '@flash/config'

export const AuthEnv = Type.Object({
  ...serverEnv(3001),
  ...userRateLimitEnv,
  ...mysqlEnv,
  ...redisEnv,
  JWT_ISSUER: tokenVerifierEnv.JWT_ISSUER,
  JWT_AUDIENCE: tokenVerifierEnv.JWT_AUDIENCE,
  /** PKCS#8 PEM of an Ed25519 key. Only auth-service ever holds it. */
  JWT_PRIVATE_KEY: Type.String({ pattern: '-----BEGIN PRIVATE KEY-----' }),
  /** Published as `kid` in the JWKS so keys can be rotated without breaking verifiers. */
  JWT_KEY_ID: Type.String({ minLength: 1, maxLength: 64, default: 'auth-1' }),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 1, maximum: 900, default: 900 }),
  /** Idle lifetime of a refresh token: each rotation issues one that lives this long (capped below). */
  REFRESH_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 7_776_000, default: 2_592_000 }),
  /** Absolute lifetime of a login (refresh-token family) from its first token, however often it rotates. */
  REFRESH_FAMILY_MAX_AGE_SECONDS: Type.Integer({ minimum: 60, maximum: 31_536_000, default: 7_776_000 }),
  /**
   * argon2id memory in KiB and passes (parallelism 1). The defaults are OWASP's minimum (19 MiB, t=2,
   * ≈ 23 ms per hash here); tests and load tools may lower them. Stored hashes carry their own
   * parameters, so a change never locks anyone out; logins rehash weaker hashes (and old scrypt ones).
   */
  PASSWORD_HASH_MEMORY_KIB: Type.Integer({ minimum: 64, maximum: 1_048_576, default: 19_456 }),
  PASSWORD_HASH_PASSES: Type.Integer({ minimum: 1, maximum: 10, default: 2 }),
  /** Hashes computed at once per instance (default: the number of CPUs). */
  PASSWORD_HASH_CONCURRENCY: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
  /** Hashes that may wait for a slot; beyond it register/login answer 503 `overloaded` + Retry-After at once. */
  PASSWORD_HASH_QUEUE_MAX: Type.Integer({ minimum: 0, maximum: 10_000, default: 64 }),
  /** A hash still waiting after this long is shed too (503 + Retry-After): no answer waits for ever. */
  PASSWORD_HASH_MAX_WAIT_MS: Type.Integer({ minimum: 1, maximum: 60_000, default: 1_000 }),
  /** Requests per client IP per window on register/login/refresh, shared by all instances through Redis. */
  AUTH_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 20 }),
  AUTH_RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 60 }),
  /** A Redis answer slower than this and the limit is counted per instance instead (never fails open). */
  AUTH_RATE_LIMIT_REDIS_TIMEOUT_MS: Type.Integer({ minimum: 1, maximum: 10_000, default: 200 }),
  /**
   * Per-account login throttling (LoginGuard): this many wrong passwords for one email within the
   * window lock its logins for LOGIN_LOCK_SECONDS (429 + Retry-After), from any address.
   */
  LOGIN_MAX_FAILURES: Type.Integer({ minimum: 1, maximum: 1_000, default: 10 }),
  LOGIN_FAILURE_WINDOW_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 900 }),
  LOGIN_LOCK_SECONDS: Type.Integer({ minimum: 1, maximum: 3_600, default: 60 }),
  /** Set both to create (or update) an admin account at start. */
  ADMIN_EMAIL: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 8, maxLength: 128 })),
})
export type AuthConfig = Static<typeof AuthEnv>
