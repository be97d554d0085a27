import { assertSchemaCurrent, createDb, type Database } from '@flash/db'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { type Kysely, sql } from 'kysely'
import { readinessOf } from '../readiness.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>
  }
}

export interface DbPluginOptions {
  url: string
  poolSize: number
}

/**
 * The Kysely pool; refuses to boot when the schema does not match this build's migrations. `/ready`
 * asks it as `mysql`.
 */
export const dbPlugin = fp<DbPluginOptions>(
  async (app: FastifyInstance, { url, poolSize }) => {
    const db = createDb({ url, poolSize })
    try {
      await assertSchemaCurrent(db)
    } catch (error) {
      await db.destroy()
      throw error
    }
    app.decorate('db', db)
    readinessOf(app).add('mysql', () => sql`select 1`.execute(db))
    app.addHook('onClose', async () => {
      await db.destroy()
    })
  },
  { name: 'flash-db' },
)
