import { type Static, Type } from 'typebox'
import { Id, Uuid } from './common.ts'

/**
 * A reserve refused because the product's sale is not open: its window and the instant of the check on
 * the clock that decided it (Redis TIME, the one every inventory instance compares with), so the
 * caller can count down to the opening without trusting its own host's clock.
 */
export const SaleClosed = Type.Object({
  ok: Type.Literal(false),
  reason: Type.Union([Type.Literal('sale_not_started'), Type.Literal('sale_ended')]),
  sale_starts_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  sale_ends_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  checked_at: Type.String({ format: 'date-time' }),
})
export type SaleClosed = Static<typeof SaleClosed>

/**
 * Internal contract between order-service / order-finalizer and inventory-service
 * (`/internal/reservations*`). Never routed by the gateway or ALB; callers present the
 * service credential as `Authorization: Bearer <SERVICE_TOKEN>`.
 */
export const ReserveBody = Type.Object(
  {
    /** Chosen by the caller (UUIDv7) so a retried reserve is idempotent. */
    reservation_id: Uuid,
    product_id: Id,
    user_id: Id,
    quantity: Type.Integer({ minimum: 1, maximum: 100 }),
  },
  { additionalProperties: false },
)
export type ReserveBody = Static<typeof ReserveBody>

export const ReserveResult = Type.Union([
  Type.Object({
    ok: Type.Literal(true),
    reservation_id: Uuid,
    unit_price_cents: Type.Integer({ minimum: 0 }),
    expires_at: Type.String({ format: 'date-time' }),
  }),
  Type.Object({
    ok: Type.Literal(false),
    reason: Type.Union([Type.Literal('out_of_stock'), Type.Literal('per_user_limit')]),
  }),
  SaleClosed,
])
export type ReserveResult = Static<typeof ReserveResult>

/** Most reservations in one batch call; the batching caller splits beyond it. */
export const RESERVE_BATCH_MAX = 100

/**
 * Several reservations in one call (`POST /internal/reservations/batch`): order-service gathers the
 * reserves of one event-loop turn, so a loaded intake makes one HTTP exchange per batch instead of
 * one per order. Items are independent (each may succeed or be refused); a Redis failure fails the
 * whole call with 503.
 */
export const ReserveBatchBody = Type.Object(
  { items: Type.Array(ReserveBody, { minItems: 1, maxItems: RESERVE_BATCH_MAX }) },
  { additionalProperties: false },
)
export type ReserveBatchBody = Static<typeof ReserveBatchBody>

/** What the single call answers as 404 / 400 problems, per item here. */
export const ReserveItemRefusal = Type.Object({
  ok: Type.Literal(false),
  reason: Type.Union([Type.Literal('product_not_found'), Type.Literal('reservation_settled')]),
})
export type ReserveItemRefusal = Static<typeof ReserveItemRefusal>

export const ReserveBatchResult = Type.Object({
  /** One per item, in the items' order. */
  results: Type.Array(Type.Union([ReserveResult, ReserveItemRefusal])),
})
export type ReserveBatchResult = Static<typeof ReserveBatchResult>

/**
 * Commit (the order holds its units: completed, awaiting payment, paid), release (failed/abandoned) or
 * return (an expired or cancelled order gives back units it had committed); each idempotent by
 * reservation id.
 */
export const SettleBody = Type.Object(
  {
    reservation_id: Uuid,
    product_id: Id,
    user_id: Id,
    quantity: Type.Integer({ minimum: 1, maximum: 100 }),
    outcome: Type.Union([Type.Literal('commit'), Type.Literal('release'), Type.Literal('return')]),
  },
  { additionalProperties: false },
)
export type SettleBody = Static<typeof SettleBody>

export const SettleBatchBody = Type.Object(
  { items: Type.Array(SettleBody, { minItems: 1, maxItems: 100 }) },
  { additionalProperties: false },
)
export type SettleBatchBody = Static<typeof SettleBatchBody>

export const SettleResult = Type.Object({
  results: Type.Array(
    Type.Object({
      reservation_id: Uuid,
      /** `applied`: this call changed state; `noop`: it had already been settled (or was unknown). */
      status: Type.Union([Type.Literal('applied'), Type.Literal('noop')]),
    }),
  ),
})
export type SettleResult = Static<typeof SettleResult>

/**
 * Redis pub/sub channel on which inventory-service announces stock changes that other services
 * cache (order-service's local "sold out" marks). Prefix it with the deployment's REDIS_KEY_PREFIX.
 */
export const INVENTORY_EVENTS_CHANNEL = 'inventory:events'
export const InventoryEvent = Type.Object({
  type: Type.Union([
    Type.Literal('restocked'),
    Type.Literal('product_created'),
    /** The sale window (or the per-user limit) changed: caches of it are stale. */
    Type.Literal('product_updated'),
  ]),
  product_id: Id,
})
export type InventoryEvent = Static<typeof InventoryEvent>

const Count = Type.Integer({ minimum: 0 })
const Nullable = (schema: ReturnType<typeof Type.Integer>) => Type.Union([schema, Type.Null()])

/**
 * `GET /internal/products/:id/stock-state`: the stock engine's snapshot next to MySQL's books, for the
 * audit tool and end-to-end tests (I1 stock ≥ 0, I2 stock = supplied − completed, I4 Redis available
 * = stock − pending with nothing left reserved). The two halves are read one after the other, so
 * they agree only while nothing is in flight.
 */
/**
 * inventory-service's audit view of one product (`GET /internal/products/:id/stock-state`): its
 * Redis state next to MySQL's totals, so the audit tool and the end-to-end tests can check I1, I2, I4.
 */
export const StockState = Type.Object({
  product_id: Type.Integer({ minimum: 1 }),
  redis: Type.Object({
    /** null when cold (no state in Redis). */
    available: Nullable(Type.Integer()),
    price_cents: Nullable(Count),
    max_per_user: Nullable(Count),
    warmed_at: Nullable(Count),
    /** `supplied` total the Redis state includes (restocks are applied by version). */
    supplied: Nullable(Count),
    reservations: Count,
    reserved_units: Count,
    user_units: Count,
    tombstones: Count,
    /** Pending orders the last rebuild subtracted that are not settled yet. */
    counted: Count,
    /** Drift repairs by the reconciler since the last rebuild, and the last one's delta and time (ms). */
    repairs: Count,
    last_repair_delta: Nullable(Type.Integer()),
    last_repair_at: Nullable(Count),
  }),
  mysql: Type.Object({
    stock: Type.Integer(),
    supplied: Count,
    pending_qty: Count,
    completed_qty: Count,
    failed_qty: Count,
    /** Units of orders waiting for their payment (taken from stock, held until pay_by). */
    awaiting_payment_qty: Count,
    paid_qty: Count,
    /** Units of expired / cancelled orders: back in stock (I2 does not subtract them). */
    expired_qty: Count,
    cancelled_qty: Count,
  }),
})
export type StockState = Static<typeof StockState>
