import { INVENTORY_EVENTS_CHANNEL } from '@flash/contracts'
import { redisErrorLogger, Subscription } from '@flash/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { LocalMarks } from './local-marks.ts'
import { SaleWindowMarks } from './sale-window-marks.ts'

/**
 * Products this instance recently saw sold out, refused without the inventory round trip (in a
 * flash sale most requests are for a sold-out product). A refusal of `quantity` units proves only that
 * fewer than `quantity` are left, so the mark refuses requests of that many units or more and lets
 * smaller ones through to inventory. How marks are kept fresh (ttl and probe, restock events,
 * subscription state) is LocalMarks'.
 */
export class SoldOutMarks {
  readonly #marks: LocalMarks<{ quantity: number }>

  constructor(ttlMs: number) {
    this.#marks = new LocalMarks(ttlMs)
  }

  isSoldOut(productId: number, quantity: number): boolean {
    const mark = this.#marks.peek(productId)
    if (mark === undefined || quantity < mark.quantity) return false
    return this.#marks.trusted(productId, mark)
  }

  /** Taken before asking inventory; a refusal passes it back to `mark`. */
  version(): number {
    return this.#marks.version()
  }

  /** inventory refused `quantity` units as out of stock, for a reserve asked at `askedAt` (`version()`). */
  mark(productId: number, quantity: number, askedAt = this.#marks.version()): void {
    const now = performance.now()
    const current = this.#marks.peek(productId)
    const smallest = current && current.until > now ? Math.min(current.quantity, quantity) : quantity
    this.#marks.set(productId, { quantity: smallest }, askedAt, now)
  }

  /** Inventory answered anything but out-of-stock (or did not answer), or restocked: stop refusing. */
  clear(productId: number): void {
    this.#marks.clear(productId)
  }

  setLive(live: boolean): void {
    this.#marks.setLive(live)
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
