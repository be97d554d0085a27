import { ROUTE_TABLE, SERVICE_PORTS, SERVICES, type ServiceName } from '@flash/routes'

/**
 * What the deployment needs to know about each app beyond the route table: how big its tasks are,
 * how far it may scale, how many MySQL connections each task opens, and the latency it is held to.
 * The RDS parameter group's max_connections is computed from this table, so a bigger pool or a
 * higher task ceiling can never silently exceed what the database accepts.
 */
export interface ServiceSizing {
  readonly cpu: number
  readonly memoryMiB: number
  readonly minTasks: number
  readonly maxTasks: number
  /** DB_POOL_SIZE of each task. */
  readonly dbPool: number
  /** p99 target-response-time alarm threshold (public services only). */
  readonly p99Seconds: number
}

export const SIZING: Record<ServiceName, ServiceSizing> = {
  // Password hashing is CPU-bound (scrypt ≈ 80 ms): more vCPU per task, p99 held to the auth-storm target.
  'auth-service': { cpu: 1024, memoryMiB: 2048, minTasks: 2, maxTasks: 8, dbPool: 5, p99Seconds: 3 },
  'inventory-service': { cpu: 512, memoryMiB: 1024, minTasks: 2, maxTasks: 10, dbPool: 5, p99Seconds: 0.05 },
  'order-service': { cpu: 1024, memoryMiB: 2048, minTasks: 2, maxTasks: 12, dbPool: 8, p99Seconds: 0.1 },
  'order-finalizer': { cpu: 512, memoryMiB: 1024, minTasks: 1, maxTasks: 6, dbPool: 10, p99Seconds: 0 },
}

/** Connections the one-off tasks (migrations, DLQ tool) and a person at a MySQL prompt may open. */
export const RESERVED_CONNECTIONS = 30

/** max_connections for the parameter group: every task of every service at its ceiling, plus reserve. */
export function requiredMaxConnections(sizing: Record<ServiceName, ServiceSizing> = SIZING): number {
  return SERVICES.reduce((sum, s) => sum + sizing[s].maxTasks * sizing[s].dbPool, RESERVED_CONNECTIONS)
}

/** Services the ALB routes to: exactly those named in the route table. */
export const PUBLIC_SERVICES: readonly ServiceName[] = SERVICES.filter((s) =>
  ROUTE_TABLE.some((r) => r.service === s),
)

/**
 * Services other tasks call inside the VPC through Service Connect: auth-service for its JWKS,
 * inventory-service for `/internal/*` reservations. Their DNS name inside the namespace is the
 * service name, so the URLs below work unchanged in docker-compose and in ECS.
 */
export const INTERNAL_SERVERS: readonly ServiceName[] = ['auth-service', 'inventory-service']
export const internalUrl = (service: ServiceName) => `http://${service}:${SERVICE_PORTS[service]}`

/** Every image the platform is built into: one per app, plus the tools image (migrations, DLQ tool). */
export const IMAGES = [...SERVICES, 'tools'] as const
export type ImageName = (typeof IMAGES)[number]
export const repositoryName = (image: ImageName) => `flash-sale/${image}`
/** CloudFormation parameter carrying an image's tag, e.g. `OrderServiceImageTag`. */
export const imageTagParameter = (image: ImageName) =>
  `${image.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase())}ImageTag`

/** SQS settings shared by the queue definition and the finalizer's environment. */
export const QUEUE = {
  visibilityTimeoutSeconds: 60,
  retentionDays: 14,
  /** Equals the finalizer's MAX_ATTEMPTS: after this many deliveries SQS moves a message to the DLQ. */
  maxReceiveCount: 3,
} as const

export const DATABASE_NAME = 'flash_sale'
/** The services' MySQL user (row access only); the migration task creates it as the owner. */
export const APP_DATABASE_USER = 'flash_app'
