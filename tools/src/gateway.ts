// The dev gateway as a process: `node tools/src/gateway.ts` (dev stack, compose). Configuration from the
// environment: HOST, PORT (8080), LOG_LEVEL, HTTP_ACCEPTORS, UPSTREAM_TIMEOUT_MS, UPSTREAM_CONNECTIONS and one
// <SERVICE>_URLS per service (e.g. ORDER_SERVICE_URLS=http://127.0.0.1:3003,http://127.0.0.1:3103).
import { loadConfig } from '@flash/config'
import { boot, listenOptions, listenWithGrace } from '@flash/service-kit'
import { buildGateway, GatewayEnv, targetsFromConfig } from './gateway/index.ts'

await boot(async () => {
  const config = loadConfig(GatewayEnv, process.env)
  const app = await buildGateway({
    targets: targetsFromConfig(config),
    logLevel: config.LOG_LEVEL,
    upstreamTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
    connectionsPerUpstream: config.UPSTREAM_CONNECTIONS,
  })
  await listenWithGrace(app, listenOptions(config))
})
