import { Aws } from 'aws-cdk-lib'
import * as ecs from 'aws-cdk-lib/aws-ecs'
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import type * as sqs from 'aws-cdk-lib/aws-sqs'
import { AuthEnv } from '@flash/auth-service'
import { InventoryEnv } from '@flash/inventory-service'
import { FinalizerEnv } from '@flash/order-finalizer'
import { OrderEnv } from '@flash/order-service'
import { SERVICE_PORTS, type ServiceName } from '@flash/routes'
import type { EnvSchema, EnvValue } from './task-environment.ts'
import { internalUrl, QUEUE, SIZING } from './topology.ts'

/** The schema each service validates at boot: the task definitions are derived from these. */
export const SERVICE_SCHEMAS: Record<ServiceName, EnvSchema> = {
  'auth-service': AuthEnv,
  'inventory-service': InventoryEnv,
  'order-service': OrderEnv,
  'order-finalizer': FinalizerEnv,
}

export interface PlatformResources {
  /** The services' URL: the row-access user, over verified TLS. */
  readonly databaseUrl: secretsmanager.ISecret
  readonly adminEmail: string
  readonly adminPassword: secretsmanager.ISecret
  readonly redisUrl: secretsmanager.ISecret
  readonly jwtPrivateKey: secretsmanager.ISecret
  readonly serviceToken: secretsmanager.ISecret
  readonly paymentWebhookSecret: secretsmanager.ISecret
  readonly orders: sqs.IQueue
  readonly deadLetters: sqs.IQueue
  /** CIDRs of the ALB's subnets. */
  readonly proxyCidrs: readonly string[]
  readonly logLevel: string
}

const value = (v: string | number): EnvValue => ({ value: String(v) })
const secret = (s: secretsmanager.ISecret): EnvValue => ({ secret: ecs.Secret.fromSecretsManager(s) })

/**
 * Everything the deployment can tell a service, by variable name. Which of these a task receives is
 * decided by its schema (taskEnvironment); the rest keep the schema's defaults. Secrets travel as
 * ECS secrets, resolved by the execution role at task start, never as plain values.
 */
export function knownVariables(service: ServiceName, r: PlatformResources): Record<string, EnvValue> {
  return {
    HOST: value('0.0.0.0'),
    PORT: value(SERVICE_PORTS[service]),
    LOG_LEVEL: value(r.logLevel),
    TRUST_PROXY: value(r.proxyCidrs.join(',')),
    DATABASE_URL: secret(r.databaseUrl),
    DB_POOL_SIZE: value(SIZING[service].dbPool),
    REDIS_URL: secret(r.redisUrl),
    AUTH_JWKS_URL: value(`${internalUrl('auth-service')}/.well-known/jwks.json`),
    JWT_PRIVATE_KEY: secret(r.jwtPrivateKey),
    ADMIN_EMAIL: value(r.adminEmail),
    ADMIN_PASSWORD: secret(r.adminPassword),
    SERVICE_TOKEN: secret(r.serviceToken),
    PAYMENT_WEBHOOK_SECRET: secret(r.paymentWebhookSecret),
    // Production sells with a payment window (issue 17): 15 minutes to pay, then the unit is back on sale.
    PAYMENT_WINDOW_SECONDS: value(900),
    INVENTORY_URL: value(internalUrl('inventory-service')),
    AWS_REGION: value(Aws.REGION),
    ORDERS_QUEUE_NAME: value(r.orders.queueName),
    ORDERS_DLQ_NAME: value(r.deadLetters.queueName),
    MAX_ATTEMPTS: value(QUEUE.maxReceiveCount),
    VISIBILITY_TIMEOUT_SECONDS: value(QUEUE.visibilityTimeoutSeconds),
  }
}
