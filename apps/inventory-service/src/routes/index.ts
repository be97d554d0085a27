import type { FastifyInstance } from 'fastify'
import { productsAdminRoutes } from './products-admin.ts'
import { productsReadRoutes } from './products-read.ts'
import { reservationRoutes } from './reservations.ts'
import { stockStateRoutes } from './stock-state.ts'

export interface RoutesOptions {
  serviceToken: string
  reservationTtlMs: number
}

/** Every route of the service; a lost MySQL connection is answered 503 by the kit's central handler. */
export async function routes(app: FastifyInstance, options: RoutesOptions): Promise<void> {
  await app.register(productsReadRoutes)
  await app.register(productsAdminRoutes)
  await app.register(reservationRoutes, options)
  await app.register(stockStateRoutes, { serviceToken: options.serviceToken })
}
