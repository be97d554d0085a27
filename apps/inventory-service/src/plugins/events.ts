import { INVENTORY_EVENTS_CHANNEL, type InventoryEvent } from '@flash/contracts'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    /** Announces a stock change to other services (order-service drops its "sold out" mark). */
    publishEvent: (event: InventoryEvent) => Promise<void>
  }
}

/**
 * Publishes inventory events on Redis pub/sub. Best effort by design: the events only shorten caches
 * that expire on their own (order-service's sold-out marks live a short TTL), so a lost event costs a
 * few refused orders at worst, never correctness; a failed publish is logged, not raised.
 */
export const eventsPlugin = fp(
  async (app: FastifyInstance) => {
    // ioredis prefixes keys but not channels: add the deployment's prefix by hand, as subscribers do.
    const channel = `${app.redis.options.keyPrefix ?? ''}${INVENTORY_EVENTS_CHANNEL}`
    app.decorate('publishEvent', async (event: InventoryEvent) => {
      if (app.redis.status !== 'ready') {
        app.log.warn({ event }, 'inventory event not published: Redis is down')
        return
      }
      try {
        await app.redis.publish(channel, JSON.stringify(event))
      } catch (error) {
        app.log.warn({ err: error, event }, 'inventory event not published')
      }
    })
  },
  { name: 'inventory-events', dependencies: ['flash-redis'] },
)
