import { INVENTORY_EVENTS_CHANNEL } from '@flash/contracts'
import { redisErrorLogger, Subscription } from '@flash/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { SaleWindowMarks } from './sale-window-marks.ts'

/**
 * Products this instance recently saw sold out, refused without the inventory round trip (in a
 * flash sale most requests are for a sold-out product). A refusal of `quantity` units proves only that
 * fewer than `quantity` are left, so the mark refuses requests of that many units or more and lets
 * smaller ones through to inventory. A mark lives `ttlMs` at most and is dropped at once when
 * inventory-service announces a restock; while the event subscription is down marks are neither set
 * nor trusted, so a missed restock can never keep a product "sold out" for long.
 *
 * When a mark expires, one request goes to inventory as a probe while the others are still refused;
 * the probe's answer renews the mark (still sold out) or drops it. Without this, every expiry let a
 * whole wave of in-flight requests through at once — measured as second-long p99s and 503s.
 *
 * A refusal sets a mark only if nothing cleared the product since its reserve was asked for
 * (`version()` before the call): at a sale's opening, reserves sent just before the restock come back
 * out_of_stock just after its event, and used to mark the product sold out for a whole ttl while it
 * had its new stock (measured: hundreds of such refusals per opening in `npm run bench`'s flash sale,
 * then thousands of buyers refused locally).
 */
export class SoldOutMarks {
  readonly #ttlMs: number
  readonly #marks = new Map<number, { until: number; quantity: number; probing: boolean }>()
  /** product → `#version` of its last clear; `#liveSince`: the version at the last (re)subscribe. */
  readonly #clearedAt = new Map<number, number>()
  #version = 0
  #liveSince = 0
  #live = false

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs
  }

  isSoldOut(productId: number, quantity: number): boolean {
    const mark = this.#marks.get(productId)
    if (mark === undefined) return false
    if (quantity < mark.quantity) return false
    const now = Date.now()
    if (mark.until > now) return true
    if (mark.probing) {
      // The probe never reported back (it should always: answer, refusal or error); stop trusting.
      this.#marks.delete(productId)
      return false
    }
    // This request is the probe; the rest stay refused until it answers (at most another ttl).
    mark.probing = true
    mark.until = now + this.#ttlMs
    return false
  }

  /** Taken before asking inventory; a refusal passes it back to `mark`. Grows with every clear. */
  version(): number {
    return this.#version
  }

  /** inventory refused `quantity` units as out of stock, for a reserve asked at `askedAt` (`version()`). */
  mark(productId: number, quantity: number, askedAt = this.#version): void {
    if (!this.#live || this.#ttlMs <= 0) return
    // A restock (or a reconnect, which may have hidden one) came after the question: stale answer.
    if (askedAt < this.#liveSince || askedAt < (this.#clearedAt.get(productId) ?? 0)) return
    const current = this.#marks.get(productId)
    const smallest = current && current.until > Date.now() ? Math.min(current.quantity, quantity) : quantity
    this.#marks.set(productId, { until: Date.now() + this.#ttlMs, quantity: smallest, probing: false })
  }

  /** Inventory answered anything but out-of-stock (or did not answer): stop refusing locally. */
  clear(productId: number): void {
    this.#marks.delete(productId)
    this.#clearedAt.set(productId, ++this.#version)
  }

  /** Subscription state: on (re)subscribe everything cached before is forgotten. */
  setLive(live: boolean): void {
    this.#live = live
    this.#marks.clear()
    this.#liveSince = ++this.#version
    // Every clear before this is older than #liveSince: forgetting them keeps the map small.
    this.#clearedAt.clear()
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    soldOut: SoldOutMarks
    /** Products whose sale is not open (sale-window-marks.ts), fed by the same event subscription. */
    saleWindows: SaleWindowMarks
  }
}

export const soldOutPlugin = fp<{ ttlMs: number }>(
  async (app: FastifyInstance, { ttlMs }) => {
    const marks = new SoldOutMarks(ttlMs)
    const windows = new SaleWindowMarks(ttlMs)
    // Pub/sub is not namespaced by ioredis' keyPrefix: add it by hand, as inventory-service does.
    const channel = `${app.redis.options.keyPrefix ?? ''}${INVENTORY_EVENTS_CHANNEL}`
    const subscription = new Subscription({
      redis: app.redis,
      channel,
      onMessage: (raw) => {
        try {
          const event = JSON.parse(raw) as { type?: string; product_id?: unknown }
          if (typeof event.product_id === 'number') {
            marks.clear(event.product_id)
            windows.clear(event.product_id)
          }
        } catch {
          app.log.warn({ raw }, 'ignored a malformed inventory event')
        }
      },
      // While the link is down, a restock's "clear" may be missed: the marks are not trusted then.
      onLive: (live) => {
        marks.setLive(live)
        windows.setLive(live)
      },
      onError: redisErrorLogger(app.log, 'sold-out subscriber'),
    })
    await subscription.start()
    app.decorate('soldOut', marks)
    app.decorate('saleWindows', windows)
    app.addHook('onClose', async () => {
      subscription.close()
    })
  },
  { name: 'order-sold-out', dependencies: ['flash-redis'] },
)
