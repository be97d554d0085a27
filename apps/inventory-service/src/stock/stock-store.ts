import { RedisDataSince } from '@flash/service-kit'
import type { Cluster, Redis } from 'ioredis'
import { defineStockCommands, type ScriptReply } from './commands.ts'
import { type ProductId, productKeys, STATE_SINCE_KEY, WARMED_KEY } from './keys.ts'
import { dueProducts, markDue, refreshDue } from './sweep-index.ts'
import type {
  CommitNoop,
  CommitResult,
  CreateInput,
  ExpiredReservation,
  MetaInput,
  ReconcileResult,
  ReleaseResult,
  ReserveRefusal,
  ReturnResult,
  ReserveResult,
  RestockResult,
  SaleWindowMs,
  StateVersion,
  StockProbe,
  StockSnapshot,
  UserId,
  WarmInput,
} from './types.ts'
import { id, int } from './validate.ts'

/** A window bound as a script argument: '' for none. */
const windowArg = (name: string, ms: number | null | undefined) => (ms == null ? '' : int(name, ms))

/** Tombstones older than this may be trimmed: later than any retry/redelivery we expect. */
export const TOMBSTONE_RETENTION_MS = 24 * 60 * 60 * 1000

// Each trim call removes at most this many tombstones, so no script blocks Redis for long.
const TRIM_BATCH = 1_000

/**
 * All stock state of inventory-service, in Redis. Every state change is one Lua script (one round
 * trip, atomic per product) and idempotent by reservation id, so callers may retry anything.
 * Redis must run with `maxmemory-policy noeviction`: an evicted key would silently lose stock state.
 */
export class StockStore {
  readonly redis: Redis | Cluster
  /** Global: since when this Redis holds stock state (absent: it lost everything). */
  readonly #stateSince: RedisDataSince
  #onVersion: (productId: ProductId, version: StateVersion) => void = () => {}

  constructor(redis: Redis | Cluster) {
    this.redis = redis
    this.#stateSince = new RedisDataSince(redis, STATE_SINCE_KEY)
    defineStockCommands(redis)
  }

  /**
   * Called with the state version every reserve saw, as its reply arrives (replies of one connection
   * come in order, so the calls do too): the rollback watch's input.
   */
  onVersion(observer: (productId: ProductId, version: StateVersion) => void): void {
    this.#onVersion = observer
  }

  async reserve(
    productId: ProductId,
    reservationId: string,
    userId: UserId,
    qty: number,
    ttlMs: number,
    nowMs: number | 'server',
  ): Promise<ReserveResult> {
    const k = productKeys(productId)
    const ttl = int('ttlMs', ttlMs, 1)
    // 'server': the script takes the time from Redis (one clock for every instance and the sweeper);
    // the sweep mark sent alongside uses this host's estimate and is moved earlier below if it was late.
    const expiresAt = nowMs === 'server' ? undefined : int('nowMs', nowMs) + ttl
    const markAt = expiresAt ?? Date.now() + ttl
    // The sweep mark goes out with the script, on the same connection right behind it (one round
    // trip, and still after the script's exp entry, which refreshDue relies on). A refusal leaves a
    // mark with nothing due (one idle sweeper visit); a replay's reservation expires earlier than
    // this mark, so it is marked again below with its own expiry.
    const [reply] = await Promise.all([
      this.redis
        .stockReserve(
          k.available,
          k.meta,
          k.res,
          k.exp,
          k.users,
          k.outcome,
          id('reservationId', reservationId),
          id('userId', userId),
          int('qty', qty, 1),
          expiresAt ?? `+${ttl}`,
        )
        .then((r) => {
          const version = r[0] === 1 ? [r[5], r[6]] : r[3] == null ? undefined : [r[3], r[4]]
          if (version) this.#onVersion(productId, { gen: String(version[0]), seq: String(version[1]) })
          return r
        }),
      markDue(this.redis, productId, markAt),
    ])
    if (reply[1] === 'sale_not_started' || reply[1] === 'sale_ended') {
      const ms = (value: string | number | null | undefined) =>
        value == null || value === '' ? null : Number(value)
      return {
        ok: false,
        reason: reply[1],
        available: Number(reply[2]),
        window: { startsMs: ms(reply[5]), endsMs: ms(reply[6]) },
        now_ms: Number(reply[7]),
      }
    }
    if (reply[0] !== 1) {
      return {
        ok: false,
        reason: reply[1] as ReserveRefusal,
        available: reply[2] == null ? null : Number(reply[2]),
      }
    }
    const expiresAtMs = Number(reply[4])
    // A replay (the first call may have died between its script and its mark), or a server clock ahead
    // of this host's. A crash in that gap leaves the reservation to the periodic refreshDue pass.
    if (expiresAtMs < markAt) await markDue(this.redis, productId, expiresAtMs)
    return {
      ok: true,
      price_cents: Number(reply[1]),
      available: Number(reply[2]),
      expires_at_ms: expiresAtMs,
      replayed: reply[3] === 1,
    }
  }

  async commit(productId: ProductId, reservationId: string, nowMs: number): Promise<CommitResult> {
    const k = productKeys(productId)
    const reply = await this.redis.stockCommit(
      k.res,
      k.exp,
      k.done,
      k.outcome,
      k.counted,
      k.meta,
      id('reservationId', reservationId),
      int('nowMs', nowMs),
    )
    if (reply[0] === 1) return { applied: true, status: 'committed', qty: Number(reply[2]) }
    return { applied: false, status: reply[1] as CommitNoop }
  }

  /**
   * Puts an expired or cancelled order's units back on sale, once (give-back.lua, mode 'return'). `qty` and `userId`
   * are the order row's: a committed reservation has no Redis record left to read them from.
   */
  returnUnits(
    productId: ProductId,
    reservationId: string,
    qty: number,
    userId: UserId,
    nowMs: number,
  ): Promise<ReturnResult> {
    return this.#giveBack('return', productId, reservationId, qty, userId, nowMs)
  }

  /** `qty` and `userId` are used only when Redis no longer knows the reservation (give-back.lua, mode 'release'). */
  release(
    productId: ProductId,
    reservationId: string,
    qty: number,
    userId: UserId,
    nowMs: number,
  ): Promise<ReleaseResult> {
    return this.#giveBack('release', productId, reservationId, qty, userId, nowMs)
  }

  /** One script for both ways back ({1, status, qty, available} | {0, status}); only statuses differ. */
  async #giveBack<R extends ReleaseResult | ReturnResult>(
    mode: 'release' | 'return',
    productId: ProductId,
    reservationId: string,
    qty: number,
    userId: UserId,
    nowMs: number,
  ): Promise<R> {
    const k = productKeys(productId)
    const reply = await this.redis.stockGiveBack(
      k.available,
      k.meta,
      k.res,
      k.exp,
      k.users,
      k.done,
      k.outcome,
      k.counted,
      id('reservationId', reservationId),
      int('qty', qty, 1),
      id('userId', userId),
      int('nowMs', nowMs),
      mode,
    )
    if (reply[0] !== 1) return { applied: false, status: reply[1] } as R
    return { applied: true, status: reply[1], qty: Number(reply[2]), available: Number(reply[3]) } as R
  }

  /**
   * Rebuilds a cold product from MySQL: available = stock − Σ pending. No-op when the state exists.
   * Returns whether this call wrote the state, and the resulting available.
   *
   * `nowMs` becomes `warmed_at`: take it just before the MySQL read, so a reservation created before
   * it is (normally) among the pending orders that read counted.
   *
   * The whole user list goes in one call (one atomic script, so no reserve can see half a state).
   * Redis is blocked while it runs: measured here ≈ 0.7 µs per user (100k users: ~75 ms in Redis,
   * ~160 ms round trip). Keep one call under ~100k users; a product with more buyers than that would
   * need a chunked variant (users written before `available`, which is what makes the state warm).
   */
  async warm(
    productId: ProductId,
    input: WarmInput,
    nowMs: number,
  ): Promise<{ warmed: boolean; available: number }> {
    const listArgs: (string | number)[] = []
    for (const [userId, units] of input.userUnits) {
      if (int('userUnits units', units) > 0) listArgs.push(id('userId', userId), units)
    }
    const userValues = listArgs.length
    for (const p of input.pending ?? []) {
      listArgs.push(
        id('reservationId', p.reservationId),
        `${int('pending qty', p.qty, 1)}:${id('userId', p.userId)}`,
      )
    }
    const k = productKeys(productId)
    // Listed before the state exists: a product listed without state only waits out a window it did
    // not need; a state unlisted would be rebuilt without one after its loss (see warm-settle.ts).
    await this.redis.sadd(WARMED_KEY, String(productId))
    const reply = await this.redis.stockWarm(
      k.available,
      k.meta,
      k.res,
      k.exp,
      k.users,
      k.counted,
      k.outcome,
      k.settle,
      int('stock', input.stock),
      int('pendingQty', input.pendingQty),
      int('priceCents', input.priceCents),
      int('maxPerUser', input.maxPerUser),
      int('nowMs', nowMs),
      int('supplied', input.supplied),
      windowArg('saleStartsMs', input.window?.startsMs),
      windowArg('saleEndsMs', input.window?.endsMs),
      userValues,
      listArgs,
    )
    return { warmed: reply[0] === 1, available: Number(reply[1]) }
  }

  /** A new product: its state is known exactly (available = supplied = stock), no MySQL read needed. */
  async create(
    productId: ProductId,
    input: CreateInput,
    nowMs: number,
  ): Promise<{ created: boolean; available: number }> {
    const { warmed, available } = await this.warm(
      productId,
      { ...input, pendingQty: 0, userUnits: [], pending: [], supplied: input.stock },
      nowMs,
    )
    return { created: warmed, available }
  }

  /** Updates price and/or per-user limit, keeping available. False when cold (nothing to update). */
  async setMeta(productId: ProductId, meta: MetaInput): Promise<boolean> {
    const k = productKeys(productId)
    const reply = await this.redis.stockSetMeta(
      k.available,
      k.meta,
      meta.priceCents === undefined ? '' : int('priceCents', meta.priceCents),
      meta.maxPerUser === undefined ? '' : int('maxPerUser', meta.maxPerUser),
    )
    return reply === 1
  }

  /**
   * Sets a warm product's sale window to `window` (what MySQL holds now; absolute, so idempotent).
   * False when cold: the next warm-up reads the window from MySQL.
   */
  async setWindow(productId: ProductId, window: SaleWindowMs): Promise<boolean> {
    const k = productKeys(productId)
    const reply = await this.redis.stockSetWindow(
      k.available,
      k.meta,
      windowArg('saleStartsMs', window.startsMs),
      windowArg('saleEndsMs', window.endsMs),
    )
    return reply === 1
  }

  /**
   * Brings a warm product up to `supplied`, the product's `products.supplied` after a restock MySQL
   * has committed: adds what the state does not include yet (idempotent by version, see restock.lua).
   */
  async restock(productId: ProductId, supplied: number): Promise<RestockResult> {
    const k = productKeys(productId)
    const reply = await this.redis.stockRestock(k.available, k.meta, int('supplied', supplied))
    if (reply[1] === 'applied')
      return { status: 'applied', available: Number(reply[2]), added: Number(reply[3]) }
    if (reply[1] === 'noop') return { status: 'noop', available: Number(reply[2]) }
    return { status: 'cold', available: null }
  }

  /** Units available for new reservations, or null when cold. */
  async available(productId: ProductId): Promise<number | null> {
    const value = await this.redis.get(productKeys(productId).available)
    return value === null ? null : Number(value)
  }

  /** Live reservations expired at `nowMs`, oldest first, at most `limit`. */
  async expired(productId: ProductId, nowMs: number, limit: number): Promise<ExpiredReservation[]> {
    const k = productKeys(productId)
    const reply = await this.redis.stockExpired(k.res, k.exp, int('nowMs', nowMs), int('limit', limit, 1))
    const out: ExpiredReservation[] = []
    for (let i = 0; i < reply.length; i += 2) {
      const match = /^(\d+):(.*):(\d+)$/.exec(String(reply[i + 1]))
      if (!match) continue
      out.push({
        reservation_id: String(reply[i]),
        qty: Number(match[1]),
        user_id: match[2]!,
        expires_at_ms: Number(match[3]),
      })
    }
    return out
  }

  /** Moves a live reservation's expiry (its order is still pending). False when it is not live. */
  async extend(productId: ProductId, reservationId: string, newExpiresAtMs: number): Promise<boolean> {
    const k = productKeys(productId)
    const expiresAt = int('newExpiresAtMs', newExpiresAtMs)
    const reply = await this.redis.stockExtend(k.res, k.exp, id('reservationId', reservationId), expiresAt)
    if (reply !== 1) return false
    // Only matters when the expiry moved earlier; a later one leaves an early (harmless) mark.
    await markDue(this.redis, productId, expiresAt)
    return true
  }

  /** Products that may hold expired reservations at `nowMs` (from the sweep index, no SCAN). */
  dueProducts(nowMs: number, limit: number): Promise<string[]> {
    return dueProducts(this.redis, int('nowMs', nowMs), int('limit', limit, 1))
  }

  /**
   * Re-derives a product's sweep mark from its reservations; call it after sweeping a product, and
   * periodically for every product to repair marks lost to a crash. Returns the earliest expiry.
   */
  refreshDue(productId: ProductId): Promise<number | null> {
    return refreshDue(this.redis, productId)
  }

  /** A consistent view of one product's state, for audits. */
  async snapshot(productId: ProductId): Promise<StockSnapshot> {
    const k = productKeys(productId)
    const r: ScriptReply = await this.redis.stockSnapshot(
      k.available,
      k.meta,
      k.res,
      k.users,
      k.done,
      k.counted,
    )
    const num = (value: string | number | null | undefined) => (value == null ? null : Number(value))
    return {
      available: num(r[0]),
      price_cents: num(r[1]),
      max_per_user: num(r[2]),
      warmed_at: num(r[3]),
      reservations: Number(r[4]),
      reserved_units: Number(r[5]),
      user_units: Number(r[6]),
      tombstones: Number(r[7]),
      supplied: num(r[8]),
      counted: Number(r[9]),
      repairs: Number(r[10]),
      last_repair_delta: num(r[11]),
      last_repair_at: num(r[12]),
    }
  }

  /** Several products' probes in one pipelined round trip (their keys live in different slots). */
  async probe(productIds: ProductId[]): Promise<StockProbe[]> {
    const pipeline = this.redis.pipeline()
    for (const productId of productIds) {
      const k = productKeys(productId)
      pipeline.stockProbe(k.available, k.meta, k.res, k.counted)
    }
    const replies = (await pipeline.exec()) ?? []
    return replies.map(([error, value]) => {
      if (error) throw error
      const r = value as ScriptReply
      return {
        available: r[0] == null ? null : Number(r[0]),
        seq: String(r[1]),
        live_reservations: Number(r[2]),
        warmed_at: r[3] == null ? null : Number(r[3]),
        counted: Number(r[4]),
        gen: String(r[5]),
      }
    })
  }

  /** The pending orders the last rebuild counted and nobody has settled since: id → qty and user. */
  async countedOrders(
    productId: ProductId,
  ): Promise<{ reservationId: string; qty: number; userId: string }[]> {
    const all = await this.redis.hgetall(productKeys(productId).counted)
    return Object.entries(all).map(([reservationId, record]) => {
      const [qty, userId] = record.split(':')
      return { reservationId, qty: Number(qty), userId: userId ?? '0' }
    })
  }

  /** Sets a quiet product to MySQL's numbers if its state is still the probed version (reconcile.lua). */
  async reconcile(
    productId: ProductId,
    probed: StateVersion,
    expectedAvailable: number,
    supplied: number,
    nowMs: number,
  ): Promise<ReconcileResult> {
    const k = productKeys(productId)
    const reply = await this.redis.stockReconcile(
      k.available,
      k.meta,
      k.res,
      k.counted,
      probed.seq,
      Math.trunc(expectedAvailable),
      int('supplied', supplied),
      int('nowMs', nowMs),
      probed.gen,
    )
    if (reply[0] === 1) return { status: 'repaired', delta: Number(reply[2]) }
    return { status: reply[1] as 'cold' | 'moved' | 'busy' | 'in_sync' }
  }

  /** Redis's clock (TIME), in ms: the time instances compare (reservation expiry, settle windows). */
  async serverTimeMs(): Promise<number> {
    const [seconds, micros] = await this.redis.time()
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)
  }

  /**
   * A cold product's settle window (settle.lua): 'warm' (nothing to wait for), 'none' (no window
   * started and `start` false), or the ms left (≤ 0: over). With `start`, a missing window starts now.
   */
  async settleWindow(
    productId: ProductId,
    settleMs: number,
    start: boolean,
  ): Promise<{ status: 'warm' | 'none' } | { status: 'wait'; remainingMs: number }> {
    const k = productKeys(productId)
    const reply = await this.redis.stockSettleWindow(
      k.available,
      k.meta,
      k.settle,
      int('settleMs', settleMs),
      start ? 1 : 0,
    )
    if (reply[0] === 'wait') return { status: 'wait', remainingMs: Number(reply[1]) }
    return { status: reply[0] as 'warm' | 'none' }
  }

  /** Since when this Redis holds state (ms, its clock), set to `ifMissing` when absent; and its now. */
  stateSince(ifMissing: 'now' | number): Promise<{ sinceMs: number; nowMs: number }> {
    return this.#stateSince.read(ifMissing)
  }

  /** At boot: seeds a missing global marker (see RedisDataSince.seed). */
  seedStateSince(dataExpected: () => Promise<boolean>): Promise<void> {
    return this.#stateSince.seed(dataExpected)
  }

  /**
   * Drops a product's state if it is older than `newest` (a version seen before) and starts its settle
   * window (invalidate.lua). True when it dropped the state.
   */
  async invalidateIfOlder(productId: ProductId, newest: StateVersion, settleMs: number): Promise<boolean> {
    const k = productKeys(productId)
    const reply = await this.redis.stockInvalidate(
      k.available,
      k.meta,
      k.res,
      k.exp,
      k.users,
      k.counted,
      k.settle,
      newest.gen,
      newest.seq,
      int('settleMs', settleMs),
    )
    return reply === 1
  }

  /** Forgets tombstones settled before `olderThanMs` (in bounded batches); returns how many. */
  async trimTombstones(productId: ProductId, olderThanMs: number): Promise<number> {
    const k = productKeys(productId)
    let total = 0
    for (;;) {
      const removed = await this.redis.stockTrimTombstones(
        k.done,
        k.outcome,
        int('olderThanMs', olderThanMs),
        TRIM_BATCH,
      )
      total += removed
      if (removed < TRIM_BATCH) return total
    }
  }
}
