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
 * The Kysely pool; refuses to boot when a migration of this build has not run, and boots on a newer
 * (expand-only) schema, logging the migrations it does not know. `/ready` asks it as `mysql`.
 */
export const dbPlugin = fp<DbPluginOptions>(
  async (app: FastifyInstance, { url, poolSize }) => {
    const db = createDb({ url, poolSize })
    try {
      const { unknown } = await assertSchemaCurrent(db)
      if (unknown.length)
        app.log.info(
          { migrations: unknown },
          'database schema is newer than this build (expand-only): serving',
        )
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
