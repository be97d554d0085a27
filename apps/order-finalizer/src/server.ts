import { loadConfig } from '@flash/config'
import { FinalizerEnv } from './config.ts'
import { boot, listenOptions, listenWithGrace } from '@flash/service-kit'
import { buildApp } from './app.ts'

await boot(async () => {
  const config = loadConfig(FinalizerEnv, process.env)
  const app = await buildApp(config)
  await listenWithGrace(app, listenOptions(config))
})
