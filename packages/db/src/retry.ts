import type { Kysely, Transaction } from 'kysely'
import { isDeadlock } from './errors.ts'

/**
 * Runs `work` again (up to `attempts` times in all) when InnoDB picks it as a deadlock victim.
 * Only deadlocks are retried: the server has then rolled the statement/transaction back, so a retry
 * can never apply anything twice (unlike a connection lost during COMMIT).
 */
export async function retryOnDeadlock<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work()
    } catch (error) {
      if (attempt >= attempts || !isDeadlock(error)) throw error
    }
  }
}

/** A transaction retried as a whole when it is a deadlock victim. */
export function transactionWithRetry<DB, T>(
  db: Kysely<DB>,
  work: (trx: Transaction<DB>) => Promise<T>,
  attempts = 3,
): Promise<T> {
  return retryOnDeadlock(() => db.transaction().execute(work), attempts)
}
