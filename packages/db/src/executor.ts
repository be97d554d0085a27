import type { Kysely, Transaction } from 'kysely'
import type { Database } from './schema.ts'

/** What every repository function takes first: the pool, or a transaction it should join. */
export type Db = Kysely<Database> | Transaction<Database>
