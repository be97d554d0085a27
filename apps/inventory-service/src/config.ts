import { type Static, Type } from 'typebox'
import {
  mysqlEnv,
  redisEnv,
  redisRequestPathEnv,
  serverEnv,
  serviceCredentialEnv,
  tokenVerifierEnv,
  userRateLimitEnv,
} from '@flash/config'

export const InventoryEnv = Type.Object({
  ...serverEnv(3002),
  ...userRateLimitEnv,
  ...mysqlEnv,
  ...redisEnv,
  ...redisRequestPathEnv,
  ...tokenVerifierEnv,
  ...serviceCredentialEnv,
  /** A reservation not committed or released by then is swept (unless its order is still pending). */
  RESERVATION_TTL_SECONDS: Type.Integer({ minimum: 5, maximum: 86_400, default: 60 }),
  SWEEP_INTERVAL_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 5_000 }),
  /**
   * After the sweeper saw MySQL in trouble (a status query that failed or took over 1 s), expired
   * reservations without an order row are fenced and released only once MySQL has answered well for
   * this long: the window order-service's resolver gets to write a row a stall left unconfirmed
   * (src/repair/fence-grace.ts). Healthy, they go at their TTL. Longer than two ORDER_WRITE_TIMEOUT_MS.
   */
  FENCE_GRACE_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 5_000 }),
  /**
   * After Redis lost its data, rebuilds of stock state wait this long (answering 503 + Retry-After), so
   * intakes that reserved in the lost state have written their rows before MySQL is read. Longer than
   * order-service's ORDER_WRITE_TIMEOUT_MS; 0 turns the wait off.
   */
  WARM_SETTLE_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 3_000 }),
  /** Drift repair of quiet products (Redis vs MySQL stock − Σ pending), one pass per interval; 0: off. */
  RECONCILE_INTERVAL_MS: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 5_000 }),
  /**
   * A product whose sale opens within this many seconds has its stock made warm in Redis (checked every
   * second, src/warm-up/prewarm-plugin.ts), so the opening second meets a ready state; 0: off.
   */
  SALE_PREWARM_SECONDS: Type.Integer({ minimum: 0, maximum: 86_400, default: 60 }),
  /** How long GET /api/products/:id may serve a cached product (stock is always live from Redis). */
  PRODUCT_CACHE_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 1_000 }),
})
export type InventoryConfig = Static<typeof InventoryEnv>
