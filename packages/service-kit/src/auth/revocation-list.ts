import type { Database } from '@flash/db'
import type { Redis } from 'ioredis'
import type { Kysely } from 'kysely'
import { Subscription } from '../clients/subscription.ts'
import { withTimeout } from '../with-timeout.ts'
import { liveRevocations, saveRevocations } from './revocation-store.ts'

/** One revocation as published: an access token by `jti`, or a whole login family by `sid`. */
export interface Revocation {
  kind: 'jti' | 'sid'
  id: string
  /** Seconds since the epoch after which the revocation no longer matters (the tokens are dead anyway). */
  until: number
}

export interface RevocationListOptions {
  /** Command connection; the subscription runs on a duplicate of it. */
  redis: Redis
  /** The shared MySQL database holding the durable `revocations` table. */
  db: Kysely<Database>
  /**
   * Hears the subscriber's connection errors and failed background work (ioredis reconnects by
   * itself; without a listener it would print "Unhandled error event" for every attempt).
   */
  onError?: (error: Error, context: string) => void
  /** How often the whole list is re-read from MySQL, as a backstop for a missed push. */
  resyncMs?: number
}

const PUBLISH_TIMEOUT_MS = 1_000
const PUBLISH_RETRY_MAX_MS = 5_000

/**
 * Revoked tokens, kept in a local Map on every instance of every service so the hot path checks
 * revocation without a network call.
 *
 * Where each revocation lives, and why this holds under any single fault:
 * - **MySQL is the durable list** (`revocations` table, shared by every service like the rest of the
 *   schema). `revoke` writes it first and fails if it cannot, so a logout is answered 204 only once
 *   it survives anything Redis does. Every instance loads the table at start and again whenever its
 *   subscriber reconnects (a restart or failover may have lost messages and data), and re-reads it
 *   every `resyncMs` in case a push never came.
 * - **Redis pub/sub only pushes** each new revocation to every instance within a millisecond or so.
 *   A publish that fails (Redis down or stalled) is retried in the background until it goes out
 *   or the revocation has expired. Redis holds no revocation state, so losing its data loses nothing.
 * The alternative — auth-service republishing from MySQL into Redis when it notices a loss — would
 * leave a window in which an instance started after the loss (or while auth-service is down) accepts
 * a logged-out token; reading MySQL directly has no such window.
 *
 * The instance that revokes adds to its own Map only after the MySQL write: a failed write leaves
 * no local mark, so the client's retry is not refused as "already revoked" while nothing was stored.
 */
export class RevocationList {
  readonly #redis: Redis
  readonly #db: Kysely<Database>
  readonly #subscription: Subscription
  readonly #channel: string
  readonly #onError: (error: Error, context: string) => void
  readonly #resyncMs: number
  readonly #local = { jti: new Map<string, number>(), sid: new Map<string, number>() }
  readonly #unpublished: Revocation[] = []
  #publishing = false
  #stopped = false
  #timer: NodeJS.Timeout | undefined
  /** The last load from MySQL succeeded and nothing can have been missed since (no disconnect). */
  #synced = false

  constructor({ redis, db, onError = () => {}, resyncMs = 10_000 }: RevocationListOptions) {
    this.#redis = redis
    this.#db = db
    this.#onError = onError
    this.#resyncMs = resyncMs
    // Pub/sub channels are not namespaced by ioredis' keyPrefix; do it by hand so prefixes isolate.
    this.#channel = `${redis.options.keyPrefix ?? ''}auth:revocations`
    this.#subscription = new Subscription({
      redis,
      channel: this.#channel,
      onMessage: (message) => this.#receive(message),
      // Messages published while the link was down are gone: reload from MySQL once it is back.
      onLive: (live) => {
        if (!live) this.#synced = false
        else if (this.#timer) this.#resync('reload after reconnect')
      },
      onError: (error, context) => onError(error, `revocation ${context}`),
    })
  }

  get ready(): boolean {
    return this.#synced && this.#subscription.live
  }

  async start(): Promise<void> {
    await this.#subscription.start()
    await this.#reload()
    this.#timer = setInterval(() => {
      this.#prune()
      this.#resync('periodic reload')
    }, this.#resyncMs)
    this.#timer.unref()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearInterval(this.#timer)
    this.#subscription.close()
  }

  isRevoked(jti: string, sid: string): boolean {
    const now = Date.now() / 1000
    const byJti = this.#local.jti.get(jti)
    if (byJti !== undefined && byJti > now) return true
    const bySid = this.#local.sid.get(sid)
    return bySid !== undefined && bySid > now
  }

  /**
   * Durable first (throws if MySQL does not take it: the caller answers 503 and nothing is marked),
   * then refused here at once, then pushed to every other instance, retried until Redis takes it.
   */
  async revoke(revocations: Revocation[]): Promise<void> {
    await this.store(this.#db, revocations)
    this.announce(revocations)
  }

  /**
   * The durable half of `revoke`, in the caller's transaction: a revocation that must commit together
   * with other writes (a refresh-token reuse kills the family's refresh tokens and its access tokens
   * at once, or neither). Call `announce` after the commit.
   */
  async store(db: Kysely<Database>, revocations: Revocation[]): Promise<void> {
    await saveRevocations(db, revocations)
  }

  /** After `store` committed: refused here at once, then pushed to every other instance. */
  announce(revocations: Revocation[]): void {
    for (const r of revocations) this.#remember(r)
    this.#unpublished.push(...revocations)
    void this.#publishAll()
  }

  /** Revocations stored in MySQL but not yet pushed through Redis (waiting for Redis to come back). */
  get unpublished(): number {
    return this.#unpublished.length
  }

  async #publishAll(): Promise<void> {
    if (this.#publishing) return
    this.#publishing = true
    let delay = 100
    try {
      while (this.#unpublished.length && !this.#stopped) {
        const now = Date.now() / 1000
        const batch = this.#unpublished.splice(0).filter((r) => r.until > now)
        try {
          const pipeline = this.#redis.pipeline()
          for (const r of batch) pipeline.publish(this.#channel, JSON.stringify(r))
          const results = await withTimeout(
            pipeline.exec(),
            PUBLISH_TIMEOUT_MS,
            `timed out after ${PUBLISH_TIMEOUT_MS} ms`,
          )
          const failed = results?.find(([error]) => error)?.[0]
          if (failed) throw failed
        } catch (error) {
          // Durable already; only the push is late. Others also catch up on reconnect or resync.
          this.#unpublished.unshift(...batch)
          this.#onError(error as Error, 'revocation publish (will retry)')
          await new Promise((resolve) => setTimeout(resolve, delay).unref())
          delay = Math.min(delay * 2, PUBLISH_RETRY_MAX_MS)
        }
      }
    } finally {
      this.#publishing = false
    }
  }

  #receive(message: string): void {
    try {
      this.#remember(JSON.parse(message) as Revocation)
    } catch (error) {
      this.#onError(error as Error, 'unreadable revocation message')
    }
  }

  #remember(r: Revocation): void {
    const map = this.#local[r.kind]
    if (!map || typeof r.id !== 'string' || !Number.isFinite(r.until)) return
    map.set(r.id, Math.max(map.get(r.id) ?? 0, r.until))
  }

  #resync(context: string): void {
    this.#reload().catch((error) => this.#onError(error as Error, context))
  }

  async #reload(): Promise<void> {
    // Not synced until this load is complete; a disconnect meanwhile clears it again.
    const connectedBefore = this.#subscription.live
    const rows = await liveRevocations(this.#db, Math.floor(Date.now() / 1000))
    for (const r of rows) this.#remember(r)
    if (connectedBefore && this.#subscription.live) this.#synced = true
  }

  #prune(): void {
    const now = Date.now() / 1000
    for (const map of [this.#local.jti, this.#local.sid]) {
      for (const [id, until] of map) if (until <= now) map.delete(id)
    }
  }
}
