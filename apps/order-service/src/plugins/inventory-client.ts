import { InventoryInternalClient, type InventoryInternalClientOptions } from '@flash/api-client'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export type { ReserveOutcome } from '@flash/api-client'

declare module 'fastify' {
  interface FastifyInstance {
    inventory: InventoryInternalClient
  }
}

export const inventoryPlugin = fp<InventoryInternalClientOptions>(
  async (app: FastifyInstance, options) => {
    const client = new InventoryInternalClient(options)
    app.decorate('inventory', client)
    app.addHook('onClose', () => client.close())
  },
  { name: 'order-inventory-client' },
)
