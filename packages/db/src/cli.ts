// Usage: node packages/db/src/cli.ts up|down|status   (DATABASE_URL from the environment)
// `down` is destructive: it refuses to run without --yes.
import { Type } from 'typebox'
import { loadConfig, mysqlEnv } from '@flash/config'
import { createDb } from './connection.ts'
import { ensureDatabase, migrateDown, migrateToLatest, schemaStatus } from './migrate.ts'

const config = loadConfig(Type.Object({ DATABASE_URL: mysqlEnv.DATABASE_URL }), process.env)
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
  if (command === 'down') for (const line of await migrateDown(db)) console.log(line)
  const status = await schemaStatus(db)
  console.log(`pending: ${status.pending.length ? status.pending.join(', ') : 'none'}`)
} finally {
  await db.destroy()
}
