import { Type } from 'typebox'

/** Building blocks every service schema reuses, so a variable means the same thing everywhere. */
export const Port = (port: number) => Type.Integer({ minimum: 0, maximum: 65535, default: port })

/**
 * Per-request log lines: only 5xx and slow requests get one (every request at LOG_LEVEL=debug);
 * counts and latencies of all requests are in /metrics. Two info lines per request halved the
 * sold-out path's throughput (issue 9).
 */
const requestLogEnv = {
  /** A request at least this slow is logged at warn; 0: none is logged for being slow. */
  LOG_SLOW_REQUEST_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 1_000 }),
  /** Cap on slow/5xx request lines per second and process; the rest are counted in one summary line. */
  LOG_MAX_REQUEST_LINES_PER_SECOND: Type.Integer({ minimum: 1, maximum: 100_000, default: 50 }),
}

/**
 * Load shedding (@fastify/under-pressure): while the process is overloaded, requests other than
 * /health and /metrics are answered at once with 503 `overloaded` + Retry-After.
 */
const sheddingEnv = {
  /**
   * Mean event-loop delay (ms) over the last sample above which requests are shed; 0: off. About half
   * the Retry-After: a shed client waits that long anyway, so shedding pays only past it. At 500 ms,
   * the first second of a thousand connections opening at once on a saturated core was shed (≈ 3,000
   * × 503 in `npm run bench`'s sold-out run) although every one of them would have been answered
   * within ≈ 1 s (docs/benchmarks.md).
   */
  SHED_MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 1_000 }),
  /** Event-loop utilisation (0–1) above which requests are shed; 0: off (a busy loop is normal in a sale). */
  SHED_MAX_EVENT_LOOP_UTILIZATION: Type.Number({ minimum: 0, maximum: 1, default: 0 }),
  /** How often load is sampled (ms): how fast shedding starts and stops. */
  SHED_SAMPLE_INTERVAL_MS: Type.Integer({ minimum: 10, maximum: 10_000, default: 250 }),
  SHED_RETRY_AFTER_SECONDS: Type.Integer({ minimum: 1, maximum: 3_600, default: 2 }),
}

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
  /**
   * Listening sockets on PORT (SO_REUSEPORT on Linux, one elsewhere). Node accepts one connection per
   * event-loop turn and socket, and a saturated turn is 100+ ms: with one socket, clients of a busy
   * instance waited seconds just to connect (docs/benchmarks.md). 1: a single ordinary socket.
   */
  HTTP_ACCEPTORS: Type.Integer({ minimum: 1, maximum: 256, default: 64 }),
  /** How long graceful shutdown may wait for in-flight work before the process exits anyway. */
  SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, default: 10_000 }),
  ...requestLogEnv,
  ...sheddingEnv,
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

/** For a service whose requests wait on Redis: how long one command may keep a request waiting. */
export const redisRequestPathEnv = {
  /**
   * Longest wait for one Redis command (queued while reconnecting included); past it the request
   * answers 503 + Retry-After. A flash-sale buyer must get an answer while Redis is down, not hang
   * until it is back; healthy commands answer in well under a millisecond.
   */
  REDIS_COMMAND_TIMEOUT_MS: Type.Integer({ minimum: 10, maximum: 10_000, default: 500 }),
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

/** How a service calls inventory-service's internal API (order-service, the finalizer). */
export const inventoryClientEnv = {
  INVENTORY_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:3002' }),
  /**
   * Deadline per call to inventory-service, queueing included. A healthy call answers in about a
   * millisecond; past the deadline order-service refuses the order with 503 (and releases the
   * reservation), the finalizer retries the message.
   */
  INVENTORY_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 30_000, default: 2_000 }),
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

/**
 * The per-user request limit on every authenticated route (service-kit userThrottlePlugin), per
 * service, shared by its instances through Redis. Bots and scalpers are a flash sale's threat model:
 * the default lets a person order, poll and list comfortably (2 requests/s sustained, bursts of 20)
 * and stops a script at that. Load tools raise it.
 */
export const userRateLimitEnv = {
  USER_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 20 }),
  USER_RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ minimum: 1, maximum: 3_600, default: 10 }),
  /** A Redis sync slower than this is abandoned: each instance's own count decides meanwhile. */
  USER_RATE_LIMIT_REDIS_TIMEOUT_MS: Type.Integer({ minimum: 1, maximum: 10_000, default: 200 }),
}
