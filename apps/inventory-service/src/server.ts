import { loadConfig } from '@flash/config'
import { InventoryEnv } from './config.ts'
import { boot, listenWithGrace } from '@flash/service-kit'
import { buildApp } from './app.ts'

await boot(async () => {
  const config = loadConfig(InventoryEnv, process.env)
  const app = await buildApp(config)
  await listenWithGrace(app, {
    host: config.HOST,
    port: config.PORT,
    graceMs: config.SHUTDOWN_GRACE_MS,
    acceptors: config.HTTP_ACCEPTORS,
  })
})
