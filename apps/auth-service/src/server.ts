import { loadConfig } from '@flash/config'
import { AuthEnv } from './config.ts'
import { boot, listenOptions, listenWithGrace } from '@flash/service-kit'
import { buildApp } from './app.ts'

await boot(async () => {
  const config = loadConfig(AuthEnv, process.env)
  const app = await buildApp(config)
  await listenWithGrace(app, listenOptions(config))
})
