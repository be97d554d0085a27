import { type Static, Type } from 'typebox'
import {
  inventoryClientEnv,
  mysqlEnv,
  redisEnv,
  redisRequestPathEnv,
  serverEnv,
  serviceCredentialEnv,
  sqsEnv,
  tokenVerifierEnv,
  userRateLimitEnv,
} from '@flash/config'

export const OrderEnv = Type.Object({
  ...serverEnv(3003),
  ...userRateLimitEnv,
  ...mysqlEnv,
  ...redisEnv,
  ...redisRequestPathEnv,
  ...tokenVerifierEnv,
  ...serviceCredentialEnv,
  ...sqsEnv,
  ...inventoryClientEnv,
  INVENTORY_CONNECTIONS: Type.Integer({ minimum: 1, maximum: 1024, default: 64 }),
  /**
   * Deadline of the pending-row INSERT (and of the reads that resolve an ambiguous one). Keep every
   * intake deadline together far under inventory's RESERVATION_TTL_SECONDS: an order must be written
   * long before its reservation can be swept.
   */
  ORDER_WRITE_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 30_000, default: 2_000 }),
  /** A product seen sold out is refused locally for this long (cleared at once on restock). */
  SOLD_OUT_CACHE_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 1_000 }),
  /**
   * How long an Idempotency-Key stays "in flight" before a retry may take it over (its holder is
   * presumed dead): longer than the longest request (inventory + two writes + the send).
   */
  IDEMPOTENCY_LEASE_MS: Type.Integer({ minimum: 1_000, maximum: 600_000, default: 15_000 }),
  /** Idempotency-Key records are kept this long (IETF draft: 24 h). */
  IDEMPOTENCY_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 604_800, default: 86_400 }),
  /**
   * HMAC-SHA256 secret of the payment provider's webhook signatures (Secrets Manager in production).
   * Unset: the webhook refuses every delivery with 503 payments_disabled.
   */
  PAYMENT_WEBHOOK_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  /** A webhook delivery whose signed timestamp is further than this from now is refused (replays). */
  PAYMENT_WEBHOOK_TOLERANCE_SECONDS: Type.Integer({ minimum: 1, maximum: 3_600, default: 300 }),
  /** Sends to SQS are batched (SendMessageBatch) for up to this long or 10 messages. */
  SQS_BATCH_WINDOW_MS: Type.Integer({ minimum: 0, maximum: 100, default: 2 }),
})
export type OrderConfig = Static<typeof OrderEnv>
