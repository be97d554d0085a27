import { serverEnv } from '@flash/config'
import { SERVICE_PORTS, SERVICES, type ServiceName } from '@flash/routes'
import { type Static, Type } from 'typebox'
import type { GatewayTargets } from './upstreams.ts'

/** `auth-service` → `AUTH_SERVICE_URLS`: comma-separated base URLs of that service's instances. */
export const targetsVariable = (service: ServiceName) => `${service.toUpperCase().replace(/-/g, '_')}_URLS`

const { HOST, PORT, LOG_LEVEL, SHUTDOWN_GRACE_MS, HTTP_ACCEPTORS } = serverEnv(8080)

export const GatewayEnv = Type.Object({
  HOST,
  PORT,
  LOG_LEVEL,
  SHUTDOWN_GRACE_MS,
  HTTP_ACCEPTORS,
  UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
  UPSTREAM_CONNECTIONS: Type.Integer({ minimum: 1, maximum: 4096, default: 128 }),
  ...Object.fromEntries(
    SERVICES.map((s) => [
      targetsVariable(s),
      Type.String({ pattern: '^https?://', default: `http://127.0.0.1:${SERVICE_PORTS[s]}` }),
    ]),
  ),
})
export type GatewayConfig = Static<typeof GatewayEnv> & Record<string, unknown>

export function targetsFromConfig(config: Record<string, unknown>): GatewayTargets {
  return Object.fromEntries(
    SERVICES.map((s) => [
      s,
      String(config[targetsVariable(s)])
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean),
    ]),
  )
}
