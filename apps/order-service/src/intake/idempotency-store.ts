import { createHash, randomUUID } from 'node:crypto'
import { RedisDataSince } from '@flash/service-kit'
import type { Redis } from 'ioredis'
import { idempotencyInFlight, idempotencyKeyReused } from '../errors.ts'

/** The answer kept for a finished request: a 202 body, or a 4xx problem's code and detail. */
export type StoredAnswer =
  | { status: 202; body: { order_uuid: string; status: 'pending' } }
  | {
      status: number
      code: string
      detail: string
    }

type Entry =
  // owner: the token of the attempt holding the record; only it may complete or release it.
  | { fp: string; state: 'in_flight'; owner: string; order_uuid: string; lease_until: number }
  | { fp: string; state: 'done'; answer: StoredAnswer }

/** `fresh`: Redis knew nothing of the key (first use — or Redis forgot it, see `mayHaveForgotten`). */
export type Begin =
  | { kind: 'owner'; orderUuid: string; owner: string; fresh: boolean }
  | { kind: 'replay'; answer: StoredAnswer }

// Every lease is timed by Redis' own clock (TIME), the one clock all instances share: a host whose
// clock runs behind would otherwise write leases that others see as long over (and take its key while
// it still works), one running ahead would keep a crashed attempt's key locked. One script claims a
// new key, replays a finished one or takes over a stale one, atomically (no double takeover).
const BEGIN = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function claim(orderUuid)
  return cjson.encode({ fp = ARGV[1], state = 'in_flight', owner = ARGV[2], order_uuid = orderUuid,
    lease_until = now + tonumber(ARGV[4]) })
end
local raw = redis.call('GET', KEYS[1])
if not raw then
  redis.call('SET', KEYS[1], claim(ARGV[3]), 'EX', ARGV[5])
  return { 'owner', ARGV[3], 1 }
end
local entry = cjson.decode(raw)
if entry.fp ~= ARGV[1] then return { 'reused' } end
if entry.state == 'done' then return { 'replay', raw } end
if entry.lease_until > now then return { 'in_flight' } end
redis.call('SET', KEYS[1], claim(entry.order_uuid), 'KEEPTTL')
return { 'owner', entry.order_uuid, 0 }`

// Compare-and-set on the owner token: an attempt that lost its lease to a retry must not overwrite
// or delete the retry's record (that would let a third attempt place a second order).
const OWNED = `local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local ok, entry = pcall(cjson.decode, raw)
if not ok or entry.state ~= 'in_flight' or entry.owner ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') end
return 1`

/**
 * When this Redis last started without the records it should hold. Absent = just lost (a flush, a
 * failover to an empty replica): the next reader sets it to now. Records older than it may be gone
 * until one TTL has passed since.
 */
const COMPLETE_SINCE_KEY = 'order:idem:complete-since'

/** Records waiting for Redis, at most (a few MB); retried from 100 ms, backing off to 1 s. */
const MAX_UNSETTLED = 10_000
const SETTLE_RETRY_FIRST_MS = 100
const SETTLE_RETRY_MAX_MS = 1_000

/**
 * Idempotency-Key records (IETF draft) in Redis, one key per user + Idempotency-Key, kept `ttlSeconds`.
 * The first request claims the key with an order uuid chosen up front (one script, `BEGIN`). A crashed owner
 * leaves an in-flight entry: after `leaseMs` (longer than any request can take) a retry takes it over
 * and reuses that order uuid, so an order the crashed attempt did write is found, never doubled.
 * 5xx answers free the key (the client may retry); 202 and 4xx answers are replayed.
 *
 * Redis is only the fast path: every order row carries its key (unique per user), so a second order
 * for one key cannot be written whatever Redis forgot, and `mayHaveForgotten` tells the route when a
 * refusal must first be checked against MySQL.
 */
export class IdempotencyStore {
  readonly #redis: Redis
  readonly #ttlSeconds: number
  readonly #leaseMs: number
  readonly #completeSince: RedisDataSince
  readonly #unsettled = new Map<string, { owner: string; value: string; until: number }>()
  #retrying = false
  #retryTimer: NodeJS.Timeout | undefined
  #stopped = false

  constructor(redis: Redis, ttlSeconds: number, leaseMs: number) {
    this.#redis = redis
    this.#ttlSeconds = ttlSeconds
    this.#leaseMs = leaseMs
    this.#completeSince = new RedisDataSince(redis, COMPLETE_SINCE_KEY)
  }

  static fingerprint(body: { product_id: number; quantity: number }): string {
    return createHash('sha256').update(`${body.product_id}:${body.quantity}`).digest('base64url')
  }

  async begin(userId: number, key: string, fp: string, newOrderUuid: string): Promise<Begin> {
    const owner = randomUUID()
    let result: [string, string?, number?]
    try {
      result = (await this.#redis.eval(
        BEGIN,
        1,
        this.#key(userId, key),
        fp,
        owner,
        newOrderUuid,
        this.#leaseMs,
        this.#ttlSeconds,
      )) as [string, string?, number?]
    } catch (error) {
      // No answer (a timeout, a stall): the claim may still be applied when Redis answers again — a
      // command on the wire or in the reconnect queue is not recalled. The caller answers 503 ("nothing
      // placed"), so that claim must not hold the buyer's retry off for a whole lease: free it once
      // Redis answers. The owner check makes this a no-op if the claim never landed.
      this.#settleLater(this.#key(userId, key), owner, '')
      throw error
    }
    const [kind, value, fresh] = result
    if (kind === 'owner') return { kind, orderUuid: value!, owner, fresh: fresh === 1 }
    if (kind === 'replay')
      return { kind, answer: (JSON.parse(value!) as Extract<Entry, { state: 'done' }>).answer }
    if (kind === 'reused') throw idempotencyKeyReused()
    throw idempotencyInFlight()
  }

  /** Records the answer; false when this attempt no longer holds the record (a retry took it over). */
  async complete(
    userId: number,
    key: string,
    owner: string,
    fp: string,
    answer: StoredAnswer,
  ): Promise<boolean> {
    const entry: Entry = { fp, state: 'done', answer }
    return this.#setOwned(this.#key(userId, key), owner, JSON.stringify(entry))
  }

  /** After a 5xx: forget the key so the client's retry runs afresh — only if we still hold it. */
  async release(userId: number, key: string, owner: string): Promise<boolean> {
    return this.#setOwned(this.#key(userId, key), owner, '')
  }

  /** Records `complete`/`release` calls that Redis has not taken yet (retried until it does). */
  get unsettled(): number {
    return this.#unsettled.size
  }

  /** Stops retrying (at close): what is left falls back to the lease, as after a crash. */
  stop(): void {
    this.#stopped = true
    clearTimeout(this.#retryTimer)
    this.#unsettled.clear()
  }

  /**
   * Never throws: a record Redis does not take now is retried in the background until it does, so a
   * buyer's retry meets the answer (or a free key) moments after Redis is back instead of an "in
   * flight" refusal for the rest of the lease. False: not written (yet) or no longer ours.
   */
  async #setOwned(redisKey: string, owner: string, value: string): Promise<boolean> {
    try {
      return (await this.#redis.eval(OWNED, 1, redisKey, owner, value)) === 1
    } catch {
      this.#settleLater(redisKey, owner, value)
      return false
    }
  }

  #settleLater(redisKey: string, owner: string, value: string): void {
    if (this.#stopped) return
    // Bounded memory in a long outage: past the cap, a record is left to its lease (as after a crash).
    if (this.#unsettled.size >= MAX_UNSETTLED && !this.#unsettled.has(redisKey)) return
    // Later writes for one key win: a release queued by begin is replaced by the attempt's own record.
    this.#unsettled.set(redisKey, { owner, value, until: Date.now() + this.#leaseMs })
    if (!this.#retrying) this.#scheduleRetry(SETTLE_RETRY_FIRST_MS)
  }

  #scheduleRetry(delayMs: number): void {
    this.#retrying = true
    this.#retryTimer = setTimeout(() => void this.#retryUnsettled(delayMs), delayMs)
    this.#retryTimer.unref()
  }

  async #retryUnsettled(lastDelayMs: number): Promise<void> {
    const now = Date.now()
    const batch = [...this.#unsettled].filter(([redisKey, record]) => {
      // Past its lease a record no longer matters: a retry has taken the key over by then.
      if (record.until > now) return true
      this.#unsettled.delete(redisKey)
      return false
    })
    let failed = false
    for (const [redisKey, record] of batch) {
      try {
        await this.#redis.eval(OWNED, 1, redisKey, record.owner, record.value)
        if (this.#unsettled.get(redisKey) === record) this.#unsettled.delete(redisKey)
      } catch {
        failed = true
        break
      }
    }
    this.#retrying = false
    if (this.#stopped || this.#unsettled.size === 0) return
    this.#scheduleRetry(failed ? Math.min(lastDelayMs * 2, SETTLE_RETRY_MAX_MS) : SETTLE_RETRY_FIRST_MS)
  }

  /**
   * Whether records written before now may be missing (Redis lost its data within one TTL). Cheap: one
   * GET, asked only when a fresh claim ends in a refusal.
   */
  async mayHaveForgotten(): Promise<boolean> {
    return this.#completeSince.lostWithin(this.#ttlSeconds * 1000)
  }

  /**
   * At boot: a Redis without the marker either never held records (a new deployment, whose database
   * holds no keyed order: complete since forever) or lost them (start the window now).
   */
  async initialise(databaseHasKeyedOrders: () => Promise<boolean>): Promise<void> {
    await this.#completeSince.seed(databaseHasKeyedOrders)
  }

  #key(userId: number, key: string): string {
    return `order:idem:{u:${userId}}:${key}`
  }
}
