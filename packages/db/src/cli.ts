// Usage: node packages/db/src/cli.ts up|down|status   (DATABASE_URL from the environment)
// `down` is destructive: it refuses to run without --yes. With APP_DATABASE_URL set (the migration
// task in AWS), `up` also creates or re-passwords the services' least-privilege user (app-user.ts).
import { Type } from 'typebox'
import { loadConfig, mysqlEnv } from '@flash/config'
import { ensureAppUser } from './app-user.ts'
import { createDb } from './connection.ts'
import { ensureDatabase, migrateDown, migrateToLatest, schemaStatus } from './migrate.ts'

const config = loadConfig(
  Type.Object({
    DATABASE_URL: mysqlEnv.DATABASE_URL,
    /** The URL the services connect with: its user gets row access to the same database only. */
    APP_DATABASE_URL: Type.Optional(Type.String({ pattern: '^mysql://' })),
  }),
  process.env,
)
const [command = 'up', ...flags] = process.argv.slice(2)

if (!['up', 'down', 'status'].includes(command)) {
  console.error(`unknown command "${command}": use up | down | status`)
  process.exit(2)
}
if (command === 'down' && !flags.includes('--yes')) {
  console.error('migrate down drops data: pass --yes to confirm')
  process.exit(2)
}

await ensureDatabase(config.DATABASE_URL)
const db = createDb({ url: config.DATABASE_URL, poolSize: 1 })
try {
  if (command === 'up') for (const line of await migrateToLatest(db)) console.log(line)
  if (command === 'up' && config.APP_DATABASE_URL)
    console.log(await ensureAppUser(db, config.APP_DATABASE_URL))
  if (command === 'down') for (const line of await migrateDown(db)) console.log(line)
  const status = await schemaStatus(db)
  console.log(`pending: ${status.pending.length ? status.pending.join(', ') : 'none'}`)
} finally {
  await db.destroy()
}
