import type { Redis } from 'ioredis'

/** One revocation as published: an access token by `jti`, or a whole login family by `sid`. */
export interface Revocation {
  kind: 'jti' | 'sid'
  id: string
  /** Seconds since the epoch after which the revocation no longer matters (the tokens are dead anyway). */
  until: number
}

const KEY = { jti: 'auth:revoked:jti', sid: 'auth:revoked:sid' } as const

/**
 * Revoked tokens, kept in a local Map on every instance of every service so the hot path checks
 * revocation without a network call. Redis holds the durable list (one sorted set per kind, scored by
 * expiry) and a pub/sub channel pushes each new revocation to every instance within a millisecond or
 * so. Whenever the subscriber (re)connects, the full list is reloaded, so nothing published while it
 * was disconnected is missed. The instance that revokes adds to its own Map synchronously.
 */
export class RevocationList {
  readonly #redis: Redis
  readonly #subscriber: Redis
  readonly #channel: string
  readonly #local = { jti: new Map<string, number>(), sid: new Map<string, number>() }
  #pruneTimer: NodeJS.Timeout | undefined
  #loaded = false

  /**
   * `redis` is a command connection; a dedicated subscriber connection is duplicated from it.
   * `onError` hears the subscriber's connection errors (ioredis reconnects by itself; without a
   * listener it would print "Unhandled error event" for every attempt).
   */
  constructor(redis: Redis, onError: (error: Error) => void = () => {}) {
    this.#redis = redis
    this.#subscriber = redis.duplicate()
    this.#subscriber.on('error', onError)
    // Pub/sub channels are not namespaced by ioredis' keyPrefix; do it by hand so prefixes isolate.
    this.#channel = `${redis.options.keyPrefix ?? ''}auth:revocations`
  }

  get ready(): boolean {
    return this.#loaded && this.#subscriber.status === 'ready'
  }

  async start(): Promise<void> {
    this.#subscriber.on('message', (_channel: string, message: string) => this.#remember(JSON.parse(message)))
    this.#subscriber.on('ready', () => {
      this.#reload().catch(() => {
        this.#loaded = false
      })
    })
    await this.#subscriber.subscribe(this.#channel)
    await this.#reload()
    this.#pruneTimer = setInterval(() => this.#prune(), 60_000)
    this.#pruneTimer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.#pruneTimer)
    this.#subscriber.disconnect()
  }

  isRevoked(jti: string, sid: string): boolean {
    const now = Date.now() / 1000
    const byJti = this.#local.jti.get(jti)
    if (byJti !== undefined && byJti > now) return true
    const bySid = this.#local.sid.get(sid)
    return bySid !== undefined && bySid > now
  }

  async revoke(revocations: Revocation[]): Promise<void> {
    const now = Math.floor(Date.now() / 1000)
    const pipeline = this.#redis.multi()
    for (const r of revocations) {
      this.#remember(r)
      pipeline.zadd(KEY[r.kind], r.until, r.id)
      pipeline.zremrangebyscore(KEY[r.kind], '-inf', now)
      pipeline.publish(this.#channel, JSON.stringify(r))
    }
    await pipeline.exec()
  }

  #remember(r: Revocation): void {
    const map = this.#local[r.kind]
    if (!map) return
    map.set(r.id, Math.max(map.get(r.id) ?? 0, r.until))
  }

  async #reload(): Promise<void> {
    const now = Math.floor(Date.now() / 1000)
    for (const kind of ['jti', 'sid'] as const) {
      const rows = await this.#redis.zrangebyscore(KEY[kind], now, '+inf', 'WITHSCORES')
      for (let i = 0; i + 1 < rows.length; i += 2)
        this.#remember({ kind, id: rows[i]!, until: Number(rows[i + 1]) })
    }
    this.#loaded = true
  }

  #prune(): void {
    const now = Date.now() / 1000
    for (const map of [this.#local.jti, this.#local.sid]) {
      for (const [id, until] of map) if (until <= now) map.delete(id)
    }
  }
}
