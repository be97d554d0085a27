import { InventoryInternalClient, type InventoryInternalClientOptions } from '@flash/api-client'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { readinessOf } from '../readiness.ts'

declare module 'fastify' {
  interface FastifyInstance {
    inventory: InventoryInternalClient
  }
}

/**
 * inventory-service's internal API, for its callers (order-service reserves, the finalizer settles):
 * one keep-alive pool per instance, closed with the app; `/ready` asks it as `inventory`.
 */
export const inventoryClientPlugin = fp<InventoryInternalClientOptions>(
  async (app: FastifyInstance, options) => {
    const client = new InventoryInternalClient(options)
    app.decorate('inventory', client)
    readinessOf(app).add('inventory', () => client.ping())
    app.addHook('onClose', () => client.close())
  },
  { name: 'flash-inventory-client' },
)
