import { ProblemError, unavailable } from '@flash/service-kit'
import { STOCK_LIMIT } from './repositories/products.ts'
import { WarmSettling } from './warm-up/warm-settle.ts'

/**
 * Every problem inventory-service answers, in one place, so every path says the same thing.
 * Codes and statuses stay in `@flash/contracts` (ERROR_CODES): they are part of the public API contract
 * that the typed api-client and the OpenAPI documents are built from. Building the problems is this
 * service's own business: nothing outside this file constructs one.
 */
export { unavailable }

export const productNotFound = (id: number) =>
  new ProblemError('product_not_found', `Product ${id} does not exist`)

export const invalidCursor = () =>
  new ProblemError('validation_failed', 'querystring.cursor is not a cursor this API returned', {
    errors: [{ path: 'querystring.cursor', message: 'is invalid' }],
  })

export const blankName = () =>
  new ProblemError('validation_failed', 'body.name must not be blank', {
    errors: [{ path: 'body.name', message: 'must not be blank' }],
  })

export const stockLimitExceeded = (id: number, quantity: number) =>
  new ProblemError(
    'stock_limit_exceeded',
    `Restocking product ${id} by ${quantity} would take its stock above ${STOCK_LIMIT} units`,
    { errors: [{ path: 'body.quantity', message: `would take stock above ${STOCK_LIMIT}` }] },
  )

/** A sale window refused by the rules of `products/sale-window.ts`; nothing was changed. */
export const saleWindowRefused = (
  code: 'sale_already_open' | 'sale_window_invalid',
  field: string,
  message: string,
) =>
  new ProblemError(code, `${field.replace(/^body\./, '')} ${message}; nothing was changed`, {
    errors: [{ path: field, message }],
  })

/**
 * Runs a Redis-backed step; any failure (connection lost, command timed out, Redis loading or read-only
 * after a failover) becomes a 503 with Retry-After instead of a 500: the request may simply be retried,
 * every stock operation being idempotent. The error handler logs the cause.
 *
 * While the connection is known to be down the step is not even tried: ioredis would queue it until
 * its next reconnection attempt fails (seconds, once its backoff has grown), and a buyer is better
 * served by a fast 503 than by a slow one.
 */
export async function viaRedis<T>(redis: { status: string }, step: () => Promise<T>): Promise<T> {
  if (redis.status !== 'ready')
    throw unavailable('Stock storage', new Error(`redis connection ${redis.status}`))
  try {
    return await step()
  } catch (error) {
    if (error instanceof ProblemError) throw error
    if (error instanceof WarmSettling) throw unavailable('Stock state', error, error.retryAfterSeconds)
    throw unavailable('Stock storage', error)
  }
}
