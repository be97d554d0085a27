import { createHash, randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
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

// Replace the entry only if it is still exactly the stale one we read (no double takeover).
const TAKEOVER = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') return 1 end return 0`

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

/**
 * Idempotency-Key records (IETF draft) in Redis, one key per user + Idempotency-Key, kept `ttlSeconds`.
 * The first request claims the key with SET NX and an order uuid chosen up front. A crashed owner
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

  constructor(redis: Redis, ttlSeconds: number, leaseMs: number) {
    this.#redis = redis
    this.#ttlSeconds = ttlSeconds
    this.#leaseMs = leaseMs
  }

  static fingerprint(body: { product_id: number; quantity: number }): string {
    return createHash('sha256').update(`${body.product_id}:${body.quantity}`).digest('base64url')
  }

  async begin(userId: number, key: string, fp: string, newOrderUuid: string): Promise<Begin> {
    const redisKey = this.#key(userId, key)
    const owner = randomUUID()
    const mine = (orderUuid: string): Entry => ({
      fp,
      state: 'in_flight',
      owner,
      order_uuid: orderUuid,
      lease_until: Date.now() + this.#leaseMs,
    })
    // Bounded: a key that expires between SET NX and GET is simply claimed on the next turn.
    for (let attempt = 0; attempt < 3; attempt++) {
      const claimed = await this.#redis.set(
        redisKey,
        JSON.stringify(mine(newOrderUuid)),
        'EX',
        this.#ttlSeconds,
        'NX',
      )
      if (claimed === 'OK') return { kind: 'owner', orderUuid: newOrderUuid, owner, fresh: true }
      const raw = await this.#redis.get(redisKey)
      if (raw === null) continue
      const entry = JSON.parse(raw) as Entry
      if (entry.fp !== fp) throw idempotencyKeyReused()
      if (entry.state === 'done') return { kind: 'replay', answer: entry.answer }
      if (entry.lease_until > Date.now()) throw idempotencyInFlight()
      const next = JSON.stringify(mine(entry.order_uuid))
      if ((await this.#redis.eval(TAKEOVER, 1, redisKey, raw, next)) === 1) {
        return { kind: 'owner', orderUuid: entry.order_uuid, owner, fresh: false }
      }
    }
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
    return (await this.#redis.eval(OWNED, 1, this.#key(userId, key), owner, JSON.stringify(entry))) === 1
  }

  /** After a 5xx: forget the key so the client's retry runs afresh — only if we still hold it. */
  async release(userId: number, key: string, owner: string): Promise<boolean> {
    return (await this.#redis.eval(OWNED, 1, this.#key(userId, key), owner, '')) === 1
  }

  /**
   * Whether records written before now may be missing (Redis lost its data within one TTL). Cheap: one
   * GET, asked only when a fresh claim ends in a refusal.
   */
  async mayHaveForgotten(nowMs = Date.now()): Promise<boolean> {
    const since = await this.#redis.get(COMPLETE_SINCE_KEY)
    if (since === null) {
      await this.#redis.set(COMPLETE_SINCE_KEY, String(nowMs), 'NX')
      return true
    }
    return Number(since) > nowMs - this.#ttlSeconds * 1000
  }

  /**
   * At boot: a Redis without the marker either never held records (a new deployment, whose database
   * holds no keyed order: complete since forever) or lost them (start the window now).
   */
  async initialise(databaseHasKeyedOrders: () => Promise<boolean>): Promise<void> {
    if ((await this.#redis.exists(COMPLETE_SINCE_KEY)) === 1) return
    const since = (await databaseHasKeyedOrders()) ? Date.now() : 0
    await this.#redis.set(COMPLETE_SINCE_KEY, String(since), 'NX')
  }

  #key(userId: number, key: string): string {
    return `order:idem:{u:${userId}}:${key}`
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    idempotency: IdempotencyStore
  }
}

export const idempotencyPlugin = fp<{ ttlSeconds: number; leaseMs: number }>(
  async (app: FastifyInstance, { ttlSeconds, leaseMs }) => {
    const store = new IdempotencyStore(app.redis, ttlSeconds, leaseMs)
    const hasKeyedOrders = async () =>
      (await app.db
        .selectFrom('orders')
        .select('id')
        .where('idempotency_key', 'is not', null)
        .limit(1)
        .executeTakeFirst()) !== undefined
    // Not fatal: without the marker, `mayHaveForgotten` simply says yes until one TTL has passed.
    await store.initialise(hasKeyedOrders).catch((error) => {
      app.log.warn({ err: error }, 'idempotency marker not initialised')
    })
    app.decorate('idempotency', store)
  },
  { name: 'order-idempotency', dependencies: ['flash-redis', 'flash-db'] },
)
