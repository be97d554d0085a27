import type { Database } from '@flash/db'
import type { Kysely, Transaction } from 'kysely'

const ER_LOCK_DEADLOCK = 1213

const isDeadlock = (error: unknown) =>
  typeof error === 'object' && error !== null && (error as { errno?: number }).errno === ER_LOCK_DEADLOCK

/**
 * Runs `work` in a transaction, again (up to `attempts` times) when InnoDB picks it as a deadlock
 * victim. Only deadlocks are retried: the server has then rolled the whole transaction back, so a
 * retry can never apply anything twice (unlike a connection lost during COMMIT).
 */
export async function transactionWithRetry<T>(
  db: Kysely<Database>,
  work: (trx: Transaction<Database>) => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work)
    } catch (error) {
      if (attempt >= attempts || !isDeadlock(error)) throw error
    }
  }
}
