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
  // nonce: two takeovers in the same millisecond still write different values, so only one wins.
  | { fp: string; state: 'in_flight'; nonce: string; order_uuid: string; lease_until: number }
  | { fp: string; state: 'done'; answer: StoredAnswer }

export type Begin = { kind: 'owner'; orderUuid: string } | { kind: 'replay'; answer: StoredAnswer }

// Replace the entry only if it is still exactly the stale one we read (no double takeover).
const TAKEOVER = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') return 1 end return 0`

/**
 * Idempotency-Key records (IETF draft) in Redis, one key per user + Idempotency-Key, kept `ttlSeconds`.
 * The first request claims the key with SET NX and an order uuid chosen up front. A crashed owner
 * leaves an in-flight entry: after `leaseMs` (longer than any request can take) a retry takes it over
 * and reuses that order uuid, so an order the crashed attempt did write is found, never doubled.
 * 5xx answers free the key (the client may retry); 202 and 4xx answers are replayed.
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
    const mine = (orderUuid: string): Entry => ({
      fp,
      state: 'in_flight',
      nonce: randomUUID(),
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
      if (claimed === 'OK') return { kind: 'owner', orderUuid: newOrderUuid }
      const raw = await this.#redis.get(redisKey)
      if (raw === null) continue
      const entry = JSON.parse(raw) as Entry
      if (entry.fp !== fp) throw idempotencyKeyReused()
      if (entry.state === 'done') return { kind: 'replay', answer: entry.answer }
      if (entry.lease_until > Date.now()) throw idempotencyInFlight()
      const next = JSON.stringify(mine(entry.order_uuid))
      if ((await this.#redis.eval(TAKEOVER, 1, redisKey, raw, next)) === 1) {
        return { kind: 'owner', orderUuid: entry.order_uuid }
      }
    }
    throw idempotencyInFlight()
  }

  async complete(userId: number, key: string, fp: string, answer: StoredAnswer): Promise<void> {
    const entry: Entry = { fp, state: 'done', answer }
    await this.#redis.set(this.#key(userId, key), JSON.stringify(entry), 'EX', this.#ttlSeconds)
  }

  /** After a 5xx: forget the key so the client's retry runs afresh. */
  async release(userId: number, key: string): Promise<void> {
    await this.#redis.del(this.#key(userId, key))
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
    app.decorate('idempotency', new IdempotencyStore(app.redis, ttlSeconds, leaseMs))
  },
  { name: 'order-idempotency', dependencies: ['flash-redis'] },
)
