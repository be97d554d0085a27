import { Type } from 'typebox'

/** Building blocks every service schema reuses, so a variable means the same thing everywhere. */
export const Port = (port: number) => Type.Integer({ minimum: 0, maximum: 65535, default: port })

export const serverEnv = (port: number) => ({
  HOST: Type.String({ default: '127.0.0.1', description: 'Interface to listen on (0.0.0.0 in containers)' }),
  PORT: Port(port),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  /** Proxies allowed to set X-Forwarded-For: the gateway locally, the ALB's subnets in AWS. */
  TRUST_PROXY: Type.String({
    default: 'loopback',
    description: "proxy-addr list: 'loopback', CIDRs, comma-separated",
  }),
  /** How long graceful shutdown may wait for in-flight work before the process exits anyway. */
  SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, default: 10_000 }),
})

export const mysqlEnv = {
  DATABASE_URL: Type.String({
    pattern: '^mysql://',
    default: 'mysql://root@127.0.0.1:3306/flash_sale',
    description: 'mysql://user:password@host:port/database',
  }),
  /** Per instance. Keep (instances × pool) well under MySQL max_connections (151 by default). */
  DB_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
}

export const redisEnv = {
  REDIS_URL: Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379' }),
  /** Prepended to every key this service writes: lets tests and tenants share one Redis. */
  REDIS_KEY_PREFIX: Type.String({ default: '' }),
}

/** What a service needs to verify access tokens locally (no call to auth-service per request). */
export const tokenVerifierEnv = {
  AUTH_JWKS_URL: Type.String({
    pattern: '^https?://',
    default: 'http://127.0.0.1:3001/.well-known/jwks.json',
  }),
  JWT_ISSUER: Type.String({ minLength: 1, default: 'flash-sale-auth' }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: 'flash-sale-api' }),
}

/** Shared secret that internal callers present on `/internal/*` endpoints. */
export const serviceCredentialEnv = {
  SERVICE_TOKEN: Type.String({ minLength: 16, description: 'Bearer credential for /internal/* calls' }),
}

export const sqsEnv = {
  /** Set for the local emulator; leave unset in AWS so the SDK uses the regional endpoint. */
  SQS_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  AWS_REGION: Type.String({ default: 'us-east-1' }),
  ORDERS_QUEUE_NAME: Type.String({ minLength: 1, maxLength: 80, default: 'orders' }),
  ORDERS_DLQ_NAME: Type.String({ minLength: 1, maxLength: 80, default: 'orders-dlq' }),
}
