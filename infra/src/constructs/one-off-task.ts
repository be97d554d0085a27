import { RemovalPolicy } from 'aws-cdk-lib'
import * as ecs from 'aws-cdk-lib/aws-ecs'
import * as logs from 'aws-cdk-lib/aws-logs'
import { Construct } from 'constructs'
import { acknowledge } from '../nag.ts'
import type { TaskEnvironment } from '../task-environment.ts'

/**
 * A task definition of the tools image that is run by hand or by the deploy workflow
 * (`aws ecs run-task`), never as a service: the migrations before a rollout, the DLQ tool when a
 * person must look at poison messages. Each has its own roles, so the DLQ tool can purge the DLQ
 * while no service can.
 */
export class OneOffTask extends Construct {
  readonly taskDefinition: ecs.FargateTaskDefinition

  constructor(
    scope: Construct,
    id: string,
    props: { family: string; image: ecs.ContainerImage; command: string[]; environment: TaskEnvironment },
  ) {
    super(scope, id)
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/flash-sale/${props.family}`,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    })
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      family: `flash-sale-${props.family}`,
      cpu: 256,
      memoryLimitMiB: 512,
    })
    this.taskDefinition.addContainer('tool', {
      containerName: props.family,
      image: props.image,
      command: props.command,
      environment: props.environment.environment,
      secrets: props.environment.secrets,
      readonlyRootFilesystem: true,
      user: 'node',
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: props.family }),
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
  }
}
