import type { Migration } from 'kysely/migration'
import * as usersAndRefreshTokens from './2026-11-25T1000-users-and-refresh-tokens.ts'
import * as productsAndOrders from './2026-11-25T1100-products-and-orders.ts'
import * as revocations from './2026-12-01T1000-revocations.ts'
import * as ordersIdempotencyKeys from './2026-12-01T1100-orders-idempotency-keys.ts'
import * as ordersStatusCreatedAt from './2026-12-04T1000-orders-status-created-at.ts'
import * as productsSaleWindow from './2026-12-05T1000-products-sale-window.ts'
import * as ordersPaymentWindow from './2026-12-05T1100-orders-payment-window.ts'

/**
 * Every migration, by name, in the order they run. Listed explicitly (not read from disk) so the
 * set is the same in a container, a test and the CLI, and a service can compare it with the
 * database to refuse booting on a schema it was not written for.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-25T1000-users-and-refresh-tokens': usersAndRefreshTokens,
  '2026-11-25T1100-products-and-orders': productsAndOrders,
  '2026-12-01T1000-revocations': revocations,
  '2026-12-01T1100-orders-idempotency-keys': ordersIdempotencyKeys,
  '2026-12-04T1000-orders-status-created-at': ordersStatusCreatedAt,
  '2026-12-05T1000-products-sale-window': productsSaleWindow,
  '2026-12-05T1100-orders-payment-window': ordersPaymentWindow,
}
