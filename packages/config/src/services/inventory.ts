import { type Static, Type } from 'typebox'
import { mysqlEnv, redisEnv, serverEnv, serviceCredentialEnv, tokenVerifierEnv } from '../common.ts'

export const InventoryEnv = Type.Object({
  ...serverEnv(3002),
  ...mysqlEnv,
  ...redisEnv,
  ...tokenVerifierEnv,
  ...serviceCredentialEnv,
  /** A reservation not committed or released by then is swept (unless its order is still pending). */
  RESERVATION_TTL_SECONDS: Type.Integer({ minimum: 5, maximum: 86_400, default: 300 }),
  SWEEP_INTERVAL_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 5_000 }),
  /** How long GET /api/products/:id may serve a cached product (stock is always live from Redis). */
  PRODUCT_CACHE_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 1_000 }),
})
export type InventoryConfig = Static<typeof InventoryEnv>
