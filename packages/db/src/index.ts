export type * from './schema.ts'
export { APP_PRIVILEGES, dropAppUser, ensureAppUser } from './app-user.ts'
export { createDb, parseDatabaseUrl, SESSION_TIME_ZONE, withDatabase, type DbOptions } from './connection.ts'
export {
  assertSchemaCurrent,
  dropDatabase,
  ensureDatabase,
  migrateDown,
  migrateToLatest,
  schemaStatus,
  type SchemaStatus,
} from './migrate.ts'
export { migrations } from './migrations/index.ts'
export { newUuid } from './uuid.ts'
export {
  isDeadlock,
  isDuplicateKey,
  isLockTimeout,
  isTransientDbError,
  statementNotApplied,
} from './errors.ts'
export { retryOnDeadlock, transactionWithRetry } from './retry.ts'
export type { Db } from './executor.ts'
export { ABANDONED, isFence, writeFence } from './fence.ts'
export {
  COMMITTED_STATUSES,
  isCommittedStatus,
  RETURNED_STATUSES,
  UNITS_HELD_STATUSES,
} from './order-statuses.ts'
export {
  endUnpaidOrders,
  expireDueOrders,
  lockOrderByUuid,
  markUnitsReturned,
  ordersOwedReturn,
  type ReturnedOrder,
} from './unpaid-orders.ts'
