import { isTransientDbError } from '@flash/db'
import type { FastifyInstance } from 'fastify'
import { unavailable } from '../errors.ts'
import { productsAdminRoutes } from './products-admin.ts'
import { productsReadRoutes } from './products-read.ts'
import { reservationRoutes } from './reservations.ts'
import { stockStateRoutes } from './stock-state.ts'

export interface RoutesOptions {
  serviceToken: string
  reservationTtlMs: number
}

/**
 * Every route of the service, in one encapsulated context whose error handler turns a lost or
 * overloaded MySQL connection into 503 + Retry-After (the request is safe to retry) and hands
 * everything else, rethrown, to the kit's central problem+json handler.
 */
export async function routes(app: FastifyInstance, options: RoutesOptions): Promise<void> {
  app.setErrorHandler((error) => {
    if (isTransientDbError(error)) throw unavailable('The database', error)
    throw error
  })
  await app.register(productsReadRoutes)
  await app.register(productsAdminRoutes)
  await app.register(reservationRoutes, options)
  await app.register(stockStateRoutes, { serviceToken: options.serviceToken })
}
