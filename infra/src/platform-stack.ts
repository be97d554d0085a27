import { CfnOutput, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib'
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling'
import * as ec2 from 'aws-cdk-lib/aws-ec2'
import * as ecr from 'aws-cdk-lib/aws-ecr'
import * as ecs from 'aws-cdk-lib/aws-ecs'
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery'
import { sqsEnv } from '@flash/config'
import { acknowledge } from './nag.ts'
import { SERVICE_PORTS, SERVICES, type ServiceName } from '@flash/routes'
import type { Construct } from 'constructs'
import { AppService } from './constructs/app-service.ts'
import { Cache } from './constructs/cache.ts'
import { Database } from './constructs/database.ts'
import { PublicLoadBalancer } from './constructs/load-balancer.ts'
import { Monitoring } from './constructs/monitoring.ts'
import { Network } from './constructs/network.ts'
import { OneOffTask } from './constructs/one-off-task.ts'
import { OrderQueues } from './constructs/queues.ts'
import { DeploymentParameters } from './parameters.ts'
import { knownVariables, type PlatformResources, SERVICE_SCHEMAS } from './service-environment.ts'
import type { Settings } from './settings.ts'
import { assertAllUsed, taskEnvironment } from './task-environment.ts'
import {
  IMAGES,
  type ImageName,
  INTERNAL_SERVERS,
  PUBLIC_SERVICES,
  repositoryName,
  requiredMaxConnections,
  SIZING,
} from './topology.ts'

/** Who calls whom inside the VPC (through Service Connect): the security groups allow exactly this. */
const CALLS: readonly [from: ServiceName, to: ServiceName][] = [
  ['inventory-service', 'auth-service'], // JWKS
  ['order-service', 'auth-service'], // JWKS
  ['order-service', 'inventory-service'], // reservations
  ['order-finalizer', 'inventory-service'], // settle
]
const REDIS_USERS: readonly ServiceName[] = ['auth-service', 'inventory-service', 'order-service']

/** The whole platform except the ECR repositories (RegistryStack). */
export class PlatformStack extends Stack {
  readonly services = new Map<ServiceName, AppService>()

  constructor(scope: Construct, id: string, props: StackProps & { settings: Settings }) {
    super(scope, id, props)
    const { settings } = props
    const parameters = new DeploymentParameters(this)
    const network = new Network(this, 'Network', { natGateways: settings.natGateways })
    const vpc = network.vpc
    const queues = new OrderQueues(this, 'Queues')
    const database = new Database(this, 'Database', { vpc, multiAz: settings.multiAz })
    const cache = new Cache(this, 'Cache', { vpc, multiAz: settings.multiAz })
    const serviceToken = new secretsmanager.Secret(this, 'ServiceToken', {
      description: 'flash-sale SERVICE_TOKEN: the credential internal callers present on /internal/*',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    })
    acknowledge(
      serviceToken,
      'SMG4',
      'every caller and callee reads it at task start; rotating means a redeploy of all services (docs/deploy.md)',
    )
    const jwtPrivateKey = secretsmanager.Secret.fromSecretNameV2(
      this,
      'JwtPrivateKey',
      settings.jwtKeySecretName,
    )

    // The admin account auth-service seeds at start: the password is generated here and read by
    // the operator from Secrets Manager; neither the template nor any log ever holds it.
    const adminPassword = new secretsmanager.Secret(this, 'AdminPassword', {
      description: 'flash-sale ADMIN_PASSWORD: the seeded admin account (e-mail: the AdminEmail parameter)',
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
    })
    acknowledge(
      adminPassword,
      'SMG4',
      'auth-service applies this value at every start: rotate by putting a new value and forcing a new deployment of auth-service (docs/deploy.md)',
    )

    // The payment provider's webhook signing secret: generated as a placeholder so the stack deploys;
    // the operator puts the provider's value here and redeploys order-service (docs/deploy.md).
    const paymentWebhookSecret = new secretsmanager.Secret(this, 'PaymentWebhookSecret', {
      description: 'flash-sale PAYMENT_WEBHOOK_SECRET: the payment provider webhook signing secret',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    })
    acknowledge(
      paymentWebhookSecret,
      'SMG4',
      'the payment provider issues this secret; rotate it at the provider, put the new value and force a new deployment of order-service (docs/deploy.md)',
    )

    const images = imageReferences(this, parameters.imageTags)
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      defaultCloudMapNamespace: {
        name: 'flash-sale.internal',
        type: servicediscovery.NamespaceType.HTTP,
        useForServiceConnect: true,
      },
    })
    const loadBalancer = new PublicLoadBalancer(this, 'LoadBalancer', {
      vpc,
      services: PUBLIC_SERVICES,
      certificateArn: parameters.certificateArn,
      hasCertificate: parameters.hasCertificate,
    })

    const resources: PlatformResources = {
      databaseUrl: database.appUrlSecret,
      adminEmail: parameters.adminEmail,
      adminPassword,
      redisUrl: cache.urlSecret,
      jwtPrivateKey,
      serviceToken,
      paymentWebhookSecret,
      orders: queues.orders,
      deadLetters: queues.deadLetters,
      proxyCidrs: network.publicCidrs,
      logLevel: settings.logLevel,
    }
    assertAllUsed(Object.keys(knownVariables('auth-service', resources)), Object.values(SERVICE_SCHEMAS))

    for (const service of SERVICES) {
      const securityGroup = new ec2.SecurityGroup(this, `${service}-sg`, {
        vpc,
        description: `flash-sale ${service} tasks`,
      })
      const app = new AppService(this, service, {
        cluster,
        service,
        image: images[service],
        environment: taskEnvironment(service, SERVICE_SCHEMAS[service], knownVariables(service, resources)),
        sizing: SIZING[service],
        securityGroup,
        targetGroup: loadBalancer.targetGroups.get(service),
        internalServer: INTERNAL_SERVERS.includes(service),
        running: parameters.schemaReady,
      })
      database.allowFrom(securityGroup, `${service} tasks`)
      if (REDIS_USERS.includes(service)) cache.allowFrom(securityGroup, `${service} tasks`)
      this.services.set(service, app)
    }
    for (const [from, to] of CALLS) {
      const target = this.services.get(to)!.service
      target.connections.allowFrom(
        this.services.get(from)!.service,
        ec2.Port.tcp(SERVICE_PORTS[to]),
        `${from} → ${to}`,
      )
    }
    this.grantQueues(queues)
    this.scaleFinalizerOnBacklog(queues)

    const toolsSecurityGroup = new ec2.SecurityGroup(this, 'tools-sg', {
      vpc,
      description: 'flash-sale one-off tool tasks (migrations, DLQ tool)',
    })
    database.allowFrom(toolsSecurityGroup, 'migration task')
    const migration = new OneOffTask(this, 'Migrate', {
      family: 'migrate',
      image: images.tools,
      command: ['node', 'packages/db/src/cli.ts', 'up'],
      // The owner runs the migrations and (re)creates the services' row-access user.
      environment: {
        environment: {},
        secrets: {
          DATABASE_URL: ecs.Secret.fromSecretsManager(database.ownerUrlSecret),
          APP_DATABASE_URL: ecs.Secret.fromSecretsManager(database.appUrlSecret),
        },
      },
    })
    const dlqTool = new OneOffTask(this, 'DlqTool', {
      family: 'dlq-tool',
      image: images.tools,
      command: ['node', 'apps/order-finalizer/src/dlq-cli.ts', 'list'],
      environment: taskEnvironment(
        'dlq-tool',
        { properties: sqsEnv },
        knownVariables('order-finalizer', resources),
      ),
    })
    // list/replay/purge: read and delete dead letters, send them back to the orders queue.
    queues.deadLetters.grantConsumeMessages(dlqTool.taskDefinition.taskRole)
    queues.deadLetters.grantPurge(dlqTool.taskDefinition.taskRole)
    queues.orders.grantSendMessages(dlqTool.taskDefinition.taskRole)

    new Monitoring(this, 'Monitoring', {
      alb: loadBalancer.alb,
      targetGroups: loadBalancer.targetGroups,
      orders: queues.orders,
      deadLetters: queues.deadLetters,
      alarmEmail: parameters.alarmEmail,
      hasAlarmEmail: parameters.hasAlarmEmail,
      database: database.instance,
      maxConnections: requiredMaxConnections(),
      cache: cache.group,
      cacheNodes: settings.multiAz ? 2 : 1,
      clusterName: cluster.clusterName,
      services: SERVICES,
    })

    // What the deploy workflow and a person at a terminal need (docs/deploy.md).
    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description })
    output(
      'ApiUrl',
      `${loadBalancer.scheme}://${loadBalancer.alb.loadBalancerDnsName}`,
      'Public API (smoke tests)',
    )
    output('ClusterName', cluster.clusterName, 'ECS cluster')
    output(
      'LoadBalancerArn',
      loadBalancer.alb.loadBalancerArn,
      'aws elbv2 modify-capacity-reservation: reserve ALB capacity before a sale (docs/deploy.md)',
    )
    output(
      'AdminPasswordSecret',
      adminPassword.secretArn,
      'aws secretsmanager get-secret-value --secret-id <this>: the admin password',
    )
    output(
      'MigrationTaskDefinition',
      migration.taskDefinition.taskDefinitionArn,
      'aws ecs run-task: migrations',
    )
    output('DlqToolTaskDefinition', dlqTool.taskDefinition.taskDefinitionArn, 'aws ecs run-task: DLQ tool')
    output(
      'ToolSubnets',
      Fn.join(
        ',',
        vpc.privateSubnets.map((s) => s.subnetId),
      ),
      'subnets for run-task',
    )
    output('ToolSecurityGroup', toolsSecurityGroup.securityGroupId, 'security group for run-task')
  }

  /** order-service only sends; the finalizer consumes, and re-sends stale pending orders; DLQ: finalizer. */
  private grantQueues(queues: OrderQueues): void {
    const role = (service: ServiceName) => this.services.get(service)!.taskDefinition.taskRole
    queues.orders.grantSendMessages(role('order-service'))
    queues.orders.grantConsumeMessages(role('order-finalizer'))
    queues.orders.grantSendMessages(role('order-finalizer'))
    queues.deadLetters.grantConsumeMessages(role('order-finalizer'))
  }

  /** CPU says little about a worker waiting on MySQL: the finalizer also scales on the backlog. */
  private scaleFinalizerOnBacklog(queues: OrderQueues): void {
    this.services.get('order-finalizer')!.scaling.scaleOnMetric('Backlog', {
      metric: queues.orders.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      scalingSteps: [
        { upper: 100, change: -1 },
        { lower: 1_000, change: +1 },
        { lower: 10_000, change: +3 },
      ],
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.seconds(60),
    })
  }
}

/** Each image at the tag its `<Image>ImageTag` parameter names: a deploy changes tags, never the template. */
function imageReferences(
  stack: Stack,
  tags: Record<ImageName, string>,
): Record<ImageName, ecs.ContainerImage> {
  const images = {} as Record<ImageName, ecs.ContainerImage>
  for (const image of IMAGES) {
    const repository = ecr.Repository.fromRepositoryName(stack, `${image}-repository`, repositoryName(image))
    images[image] = ecs.ContainerImage.fromEcrRepository(repository, tags[image])
  }
  return images
}
