import { type CfnCondition, Duration, Fn, RemovalPolicy } from 'aws-cdk-lib'
import type * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling'
import type * as ec2 from 'aws-cdk-lib/aws-ec2'
import * as ecs from 'aws-cdk-lib/aws-ecs'
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2'
import * as logs from 'aws-cdk-lib/aws-logs'
import { SERVICE_PORTS, type ServiceName } from '@flash/routes'
import { Construct } from 'constructs'
import type { ServiceSizing } from '../topology.ts'
import { acknowledge } from '../nag.ts'
import type { TaskEnvironment } from '../task-environment.ts'

export interface AppServiceProps {
  readonly cluster: ecs.ICluster
  readonly service: ServiceName
  readonly image: ecs.ContainerImage
  readonly environment: TaskEnvironment
  readonly sizing: ServiceSizing
  readonly securityGroup: ec2.ISecurityGroup
  /** Public services register their tasks here; the finalizer has none. */
  readonly targetGroup?: elbv2.ApplicationTargetGroup
  /** Offer this service to the others inside the Service Connect namespace under its own name. */
  readonly internalServer: boolean
  /** While false (`SchemaReady` parameter), the service runs no task: the schema is not migrated yet. */
  readonly running: CfnCondition
}

/** Same probe as the image's HEALTHCHECK: ECS does not read the Dockerfile's. */
export const healthCommand = (port: number) => [
  'CMD',
  'node',
  '-e',
  `fetch('http://127.0.0.1:${port}/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
]

/**
 * One app as one Fargate service: its own task definition (so its own task role and execution role,
 * each holding only what this app is granted), its own log group, a rolling deployment that rolls
 * back by itself when new tasks do not become healthy, and CPU target tracking.
 */
export class AppService extends Construct {
  readonly service: ecs.FargateService
  readonly taskDefinition: ecs.FargateTaskDefinition
  readonly logGroup: logs.LogGroup
  readonly scaling: ecs.ScalableTaskCount

  constructor(scope: Construct, id: string, props: AppServiceProps) {
    super(scope, id)
    const port = SERVICE_PORTS[props.service]
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/flash-sale/${props.service}`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    })
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      family: `flash-sale-${props.service}`,
      cpu: props.sizing.cpu,
      memoryLimitMiB: props.sizing.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    })
    this.taskDefinition.addContainer('app', {
      containerName: props.service,
      image: props.image,
      environment: props.environment.environment,
      secrets: props.environment.secrets,
      portMappings: [{ name: props.service, containerPort: port, appProtocol: ecs.AppProtocol.http }],
      healthCheck: {
        command: healthCommand(port),
        interval: Duration.seconds(10),
        timeout: Duration.seconds(3),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      // SIGTERM first: the service drains in-flight work within SHUTDOWN_GRACE_MS before SIGKILL.
      stopTimeout: Duration.seconds(30),
      readonlyRootFilesystem: true,
      user: 'node',
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: props.service,
        // A slow CloudWatch Logs endpoint must never block the event loop of the hot path.
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
      }),
    })
    acknowledge(
      this.taskDefinition,
      'ECS2',
      'only non-secret settings are plain environment values; every credential (DATABASE_URL, REDIS_URL, SERVICE_TOKEN, JWT_PRIVATE_KEY) is an ECS secret',
    )
    acknowledge(
      this.taskDefinition.obtainExecutionRole(),
      'IAM5[Resource::*]',
      'ecr:GetAuthorizationToken has no resource-level permissions; every other statement of the execution role names its repository, log group and secrets',
    )
    this.service = new ecs.FargateService(this, 'Service', {
      serviceName: props.service,
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: props.sizing.minTasks,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      securityGroups: [props.securityGroup],
      assignPublicIp: false,
      healthCheckGracePeriod: props.targetGroup ? Duration.seconds(60) : undefined,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      serviceConnectConfiguration: {
        services: props.internalServer
          ? [{ portMappingName: props.service, dnsName: props.service, port }]
          : [],
      },
    })
    if (props.targetGroup)
      props.targetGroup.addTarget(
        this.service.loadBalancerTarget({ containerName: props.service, containerPort: port }),
      )
    this.scaling = this.service.autoScaleTaskCount({
      minCapacity: props.sizing.minTasks,
      maxCapacity: props.sizing.maxTasks,
    })
    // Zero tasks (and a scaling range of zero) until the migration task has run on this stack.
    const whenRunning = (count: number) => Fn.conditionIf(props.running.logicalId, count, 0)
    const service = this.service.node.defaultChild as ecs.CfnService
    service.addPropertyOverride('DesiredCount', whenRunning(props.sizing.minTasks))
    const target = this.scaling.node.findChild('Target').node.defaultChild as appscaling.CfnScalableTarget
    target.addPropertyOverride('MinCapacity', whenRunning(props.sizing.minTasks))
    target.addPropertyOverride('MaxCapacity', whenRunning(props.sizing.maxTasks))
    this.scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: 60,
      scaleOutCooldown: Duration.seconds(30),
      scaleInCooldown: Duration.seconds(120),
    })
  }
}
