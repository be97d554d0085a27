import type { ProductId } from './keys.ts'

// Results use snake_case like the Redis fields and the HTTP contracts; inputs are camelCase options.

export type { ProductId }
export type UserId = number | string

/**
 * `cold`: the product's state is not in Redis (first use, flush, failover): warm it up and retry.
 * `settled`: this reservation id was already committed or released; it cannot be reserved again.
 */
export type ReserveRefusal = 'out_of_stock' | 'per_user_limit' | 'cold' | 'settled'

/** A sale window in ms on Redis's clock; null = no bound on that side. */
export interface SaleWindowMs {
  startsMs: number | null
  endsMs: number | null
}

export type ReserveResult =
  | {
      ok: true
      price_cents: number
      /** Units left for others after this reservation (for a replay: what is left now). */
      available: number
      expires_at_ms: number
      /** True when this reservation id had already been reserved: nothing was deducted this time. */
      replayed: boolean
    }
  | {
      ok: false
      /** The sale is not open at `now_ms` (Redis TIME, when the script ran). */
      reason: 'sale_not_started' | 'sale_ended'
      available: number
      window: SaleWindowMs
      now_ms: number
    }
  | {
      ok: false
      reason: ReserveRefusal
      /**
       * What is left (null when cold): `out_of_stock` with 0 left means sold out for everyone (worth a
       * local "sold out" mark), with 2 left only for larger requests.
       */
      available: number | null
    }

/** Which version of a product's state a script saw: its generation (rebuild) and `seq` within it. */
export interface StateVersion {
  gen: string
  seq: string
}

/**
 * `counted`: Redis lost it and the warm-up had counted its order as pending: it stays subtracted.
 * `unknown`: Redis never saw it (or lost it, uncounted); nothing moved. Both leave a tombstone, so a
 * later release is a no-op. `already_released`: see commit.lua (the reconciler repairs that drift).
 */
export type CommitNoop = 'already_committed' | 'already_released' | 'counted' | 'unknown'

export type CommitResult =
  | { applied: true; status: 'committed'; qty: number }
  | { applied: false; status: CommitNoop }

/** `released_counted`: unknown to Redis, but the last warm-up had subtracted its order (give-back.lua). */
export type ReleaseApplied = 'released' | 'released_counted'
/**
 * `unknown`: unknown to Redis and not counted by the last warm-up. `cold`: no state; the next warm-up
 * reads MySQL, where the order is already terminal. Both leave a tombstone.
 */
export type ReleaseNoop = 'already_committed' | 'already_released' | 'unknown' | 'cold'

export type ReleaseResult =
  | { applied: true; status: ReleaseApplied; qty: number; available: number }
  | { applied: false; status: ReleaseNoop }

/** See give-back.lua (mode 'return'): `returned` (committed before), `returned_live`, `returned_counted`. */
export type ReturnApplied = 'returned' | 'returned_live' | 'returned_counted'
export type ReturnNoop = 'already_returned' | 'already_released' | 'unknown' | 'cold'

export type ReturnResult =
  | { applied: true; status: ReturnApplied; qty: number; available: number }
  | { applied: false; status: ReturnNoop }

export interface WarmInput {
  /** `products.stock` in MySQL. */
  stock: number
  /** Σ quantity of the product's pending orders, read in the same MySQL snapshot as `stock`. */
  pendingQty: number
  priceCents: number
  /** 0 = no limit. */
  maxPerUser: number
  /** Per user: Σ quantity of the orders of this product that hold units (UNITS_HELD_STATUSES). */
  userUnits: [userId: UserId, units: number][]
  /** The pending orders counted in `pendingQty`, by reservation id (what a later settle may meet). */
  pending?: { reservationId: string; qty: number; userId: UserId }[]
  /**
   * `products.supplied` (initial stock + restocks) from the same snapshot: the version of the stock
   * this state includes, so a later restock adds only what the warm-up did not already read.
   */
  supplied: number
  /** The sale window from the same row; absent = on sale now, no end. */
  window?: SaleWindowMs
}

export interface CreateInput {
  stock: number
  priceCents: number
  maxPerUser: number
  window?: SaleWindowMs
}

export interface MetaInput {
  priceCents?: number
  maxPerUser?: number
}

export interface ExpiredReservation {
  reservation_id: string
  qty: number
  user_id: string
  expires_at_ms: number
}

export interface StockSnapshot {
  /** null when cold. */
  available: number | null
  price_cents: number | null
  max_per_user: number | null
  warmed_at: number | null
  /** Live (not yet settled) reservations and their units. */
  reservations: number
  reserved_units: number
  /** Σ units counted against users' limits (live + committed). */
  user_units: number
  tombstones: number
  /** `supplied` total this state includes (see restock.lua); null when cold. */
  supplied: number | null
  /** Pending orders the last warm-up subtracted that have not been settled since. */
  counted: number
  /** Repairs by the reconciler since the last warm-up, and the last one's delta and time. */
  repairs: number
  last_repair_delta: number | null
  last_repair_at: number | null
}

/** What the reconciler reads before MySQL (see probe.lua). */
export interface StockProbe {
  available: number | null
  seq: string
  live_reservations: number
  warmed_at: number | null
  /** Orders the last rebuild counted as pending and no settle has reached since. */
  counted: number
  /** The state's generation ('0' when cold): with `seq`, the version the reconciler's CAS compares. */
  gen: string
}

export type ReconcileResult =
  | { status: 'repaired'; delta: number }
  | { status: 'cold' | 'moved' | 'busy' | 'in_sync' }

/**
 * `applied`: `added` units (new supplied − supplied already included) went to available.
 * `noop`: the state already includes this supplied total (a warm-up read it, or a later restock).
 * `cold`: no state; the next warm-up reads MySQL, which holds the restock.
 */
export type RestockResult =
  | { status: 'applied'; added: number; available: number }
  | { status: 'noop'; available: number }
  | { status: 'cold'; available: null }
