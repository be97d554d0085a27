import { SERVICE_PORTS, type ServiceName } from '@flash/routes'
import type { DevSecrets } from './secrets.ts'

export type Env = Record<string, string | undefined>

/** Start order: each tier waits for the one before it to be ready (JWKS first, then inventory). */
export const START_TIERS: readonly (readonly ServiceName[])[] = [
  ['auth-service'],
  ['inventory-service'],
  ['order-service', 'order-finalizer'],
]

/**
 * Local-only defaults, each overridable from the caller's environment. The admin account lets a
 * developer create and restock products right after `npm start`.
 */
export const DEV_DEFAULTS: Readonly<Env> = {
  LOG_LEVEL: 'info',
  ADMIN_EMAIL: 'admin@example.com',
  ADMIN_PASSWORD: 'admin-password-change-me',
}

/** Instance i of a service listens on its usual port + 100 × i (3003, 3103, 3203 …). */
export const defaultPort = (service: ServiceName, index: number) => SERVICE_PORTS[service] + 100 * index

export const instanceLabel = (service: ServiceName, index: number, count: number) =>
  count > 1 ? `${service}#${index + 1}` : service

function defined(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined))
}

/**
 * What every child gets, lowest precedence first: dev defaults, the generated secrets, the caller's
 * environment, then the stack's overrides (DATABASE_URL, REDIS_KEY_PREFIX, queue names …).
 */
export function sharedEnv(inherited: Env, secrets: DevSecrets, overrides: Env): Env {
  return defined({
    ...DEV_DEFAULTS,
    JWT_PRIVATE_KEY: secrets.jwtPrivateKey,
    SERVICE_TOKEN: secrets.serviceToken,
    ...inherited,
    ...overrides,
  })
}

export interface Topology {
  host: string
  sqsEndpoint: string
  urls: Partial<Record<ServiceName, readonly string[]>>
}

/**
 * The part of an instance's environment that describes the stack itself wins over the shared env: its
 * own port (always), where the emulator and its peers are (unless that service's own overrides say
 * otherwise). Order-service and finalizer instances are spread over
 * the inventory instances (i mod n), the way a load balancer in front of them would spread them.
 */
export function instanceEnv(
  shared: Env,
  serviceOverrides: Env | undefined,
  index: number,
  port: number,
  topology: Topology,
): Env {
  const auth = topology.urls['auth-service']?.[0]
  const inventory = topology.urls['inventory-service'] ?? []
  return defined({
    ...shared,
    SQS_ENDPOINT: topology.sqsEndpoint,
    AUTH_JWKS_URL: auth ? `${auth}/.well-known/jwks.json` : shared.AUTH_JWKS_URL,
    INVENTORY_URL: inventory.length ? inventory[index % inventory.length] : shared.INVENTORY_URL,
    // Per-service overrides are deliberate (e.g. a test pointing one service at a dead peer).
    ...serviceOverrides,
    HOST: topology.host,
    PORT: String(port),
  })
}
