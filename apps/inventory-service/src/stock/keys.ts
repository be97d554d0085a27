/**
 * Redis key layout of the stock engine. Every key of one product carries the hash tag `{p:<id>}`, so a
 * Lua script that touches only one product's keys stays in one cluster slot (Redis Cluster /
 * ElastiCache cluster mode). Keys are always handed to scripts through KEYS — never built inside
 * Lua — because the ioredis client may add a `keyPrefix` (tests, tenants) that Lua cannot see. That
 * prefix must not contain `{`: Redis hashes the first `{…}` of the full key name.
 */

export type ProductId = number | string

/** Keys of one product, in the order the scripts expect them (see `commands.ts`). */
export interface ProductKeys {
  /** Integer: units available for new reservations. */
  available: string
  /**
   * Hash: price_cents, max_per_user (0/absent = no limit), warmed_at (ms), supplied (restock version),
   * gen (the rebuild's generation: Redis TIME in µs when warm.lua wrote it), seq (bumped by every change;
   * with gen it orders every version of the state, for the reconciler's compare-and-set and the rollback
   * watch), repairs / last_repair_*.
   */
  meta: string
  /** Hash: reservationId → "qty:userId:expiresAtMs" (live reservations). */
  res: string
  /** Zset: reservationId → expiresAtMs, for the sweeper. */
  exp: string
  /** Hash: userId → units held (live + committed), for the per-user limit. */
  users: string
  /** Zset: reservationId → finishedAtMs of settled reservations (tombstones), for trimming. */
  done: string
  /** Hash: reservationId → 'c' (committed) | 'r' (released); the tombstones' outcome. */
  outcome: string
  /**
   * Hash: reservationId → "qty:userId" of the pending orders the last warm-up subtracted. A
   * reservation Redis forgot gives its units back (or keeps them on commit) only if listed here.
   */
  counted: string
  /**
   * String: when this product's settle window started (ms, Redis TIME) — set at the first sighting of
   * its lost state, deleted by the warm-up that rebuilds it (see settle.lua, warm-settle.ts).
   */
  settle: string
}

/**
 * Global zset productId → earliest expiry of its live reservations, so the sweeper finds products
 * with expired reservations without SCAN-ing the keyspace. It lives in its own slot, so no product
 * script may touch it: it is maintained from TypeScript (see `sweep-index.ts`).
 */
export const SWEEP_KEY = 'inv:sweep'

/**
 * Global set of product ids this Redis has held state for: a cold product listed here lost its state
 * (one shard's failover, keys deleted) rather than never having been warmed, so its rebuild waits out
 * its settle window. Own slot, maintained from TypeScript like SWEEP_KEY.
 */
export const WARMED_KEY = 'inv:warmed'

/** Global: since when (ms, Redis TIME) this Redis holds stock state; absent = it lost everything. */
export const STATE_SINCE_KEY = 'inv:state-since'

// Braces would move the hash tag and colons would make keys ambiguous; ids are numeric in practice.
const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/

export function productKeys(productId: ProductId): ProductKeys {
  const id = String(productId)
  if (!SAFE_ID.test(id)) throw new TypeError(`invalid product id: ${JSON.stringify(id)}`)
  const base = `inv:{p:${id}}:`
  return {
    available: `${base}available`,
    meta: `${base}meta`,
    res: `${base}res`,
    exp: `${base}exp`,
    users: `${base}users`,
    done: `${base}done`,
    outcome: `${base}outcome`,
    counted: `${base}counted`,
    settle: `${base}settle`,
  }
}
