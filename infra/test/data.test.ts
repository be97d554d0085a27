import { Match } from 'aws-cdk-lib/assertions'
import { SERVICES } from '@flash/routes'
import t from 'tap'
import { KEEP_IMAGES } from '../src/registry-stack.ts'
import {
  APP_DATABASE_USER,
  IMAGES,
  imageTagParameter,
  QUEUE,
  repositoryName,
  requiredMaxConnections,
  SIZING,
} from '../src/topology.ts'
import { resources, synth } from './fixture.ts'

const { platform, registry } = synth()

t.test(
  'RDS MySQL 8.4 LTS: Multi-AZ, encrypted, TLS only, generated credentials, pools fit max_connections',
  async (t) => {
    platform.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'mysql',
      EngineVersion: Match.stringLikeRegexp('^8\\.4\\.'),
      MultiAZ: true,
      StorageEncrypted: true,
      DeletionProtection: true,
      PubliclyAccessible: false,
      MasterUserPassword: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    })
    platform.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password' }),
    })
    const group = resources(platform, 'AWS::RDS::DBParameterGroup')[0]![1] as unknown as {
      Properties: { Parameters: Record<string, string> }
    }
    const pools = SERVICES.reduce((n, s) => n + SIZING[s].maxTasks * SIZING[s].dbPool, 0)
    t.equal(Number(group.Properties.Parameters.max_connections), requiredMaxConnections())
    t.equal(group.Properties.Parameters.require_secure_transport, '1', 'plain-text connections refused')
    t.ok(requiredMaxConnections() > pools, 'every task at its ceiling, plus the one-off tasks')
  },
)

t.test('Redis replication group: TLS, at rest, AUTH token, noeviction, failover', async (t) => {
  platform.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
    Engine: 'redis',
    TransitEncryptionEnabled: true,
    AtRestEncryptionEnabled: true,
    AuthToken: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    AutomaticFailoverEnabled: true,
    MultiAZEnabled: true,
    NumCacheClusters: 2,
  })
  const group = resources(platform, 'AWS::ElastiCache::ReplicationGroup')[0]![1]
  t.match(JSON.stringify(group.Properties.AuthToken), /resolve:secretsmanager:/, 'token by reference only')
  platform.hasResourceProperties('AWS::ElastiCache::ParameterGroup', {
    Properties: { 'maxmemory-policy': 'noeviction' },
  })
})

t.test('connection URLs are assembled from dynamic references, never from a literal password', async (t) => {
  const urls = resources(platform, 'AWS::SecretsManager::Secret').filter(([, s]) => s.Properties.SecretString)
  t.equal(urls.length, 3, "the owner's and the services' DATABASE_URL, and REDIS_URL")
  for (const [, s] of urls) {
    const text = JSON.stringify(s.Properties.SecretString)
    t.match(text, /resolve:secretsmanager:/)
    t.match(text, /^\{"Fn::Join":\["",\["(mysql|rediss):\/\//)
    if (text.includes('mysql://')) t.match(text, /\/flash_sale\?tls=rds"/, 'TLS verified against the RDS CAs')
  }
  const mysql = urls
    .map(([, s]) => JSON.stringify(s.Properties.SecretString))
    .filter((u) => u.includes('mysql://'))
  t.ok(
    mysql.some((u) => u.includes(`mysql://${APP_DATABASE_USER}:`)),
    'the services connect as the row-access user',
  )
})

t.test(
  'SQS: orders queue with DLQ after 3 receives, visibility 60 s, retention 14 days, TLS only',
  async (t) => {
    platform.resourceCountIs('AWS::SQS::Queue', 2)
    platform.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: QUEUE.visibilityTimeoutSeconds,
      MessageRetentionPeriod: 14 * 86_400,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 3 },
    })
    platform.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 14 * 86_400,
      RedrivePolicy: Match.absent(),
    })
    t.equal(QUEUE.visibilityTimeoutSeconds, 60)
    platform.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    })
  },
)

t.test('ECR: one repository per image, scanned on push, immutable tags, lifecycle', async (_t) => {
  registry.resourceCountIs('AWS::ECR::Repository', IMAGES.length)
  for (const image of IMAGES) {
    registry.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: repositoryName(image),
      ImageScanningConfiguration: { ScanOnPush: true },
      ImageTagMutability: 'IMMUTABLE',
      LifecyclePolicy: { LifecyclePolicyText: Match.stringLikeRegexp(`"countNumber":${KEEP_IMAGES}`) },
    })
  }
})

t.test('image tags are template parameters; a migration task runs the tools image', async (t) => {
  const parameters = platform.toJSON().Parameters as Record<string, { Type: string }>
  for (const image of IMAGES)
    t.equal(parameters[imageTagParameter(image)]?.Type, 'String', imageTagParameter(image))
  const migrate = resources(platform, 'AWS::ECS::TaskDefinition').find(
    ([, d]) => d.Properties.Family === 'flash-sale-migrate',
  )
  t.ok(migrate, 'migration task definition')
  const [container] = migrate![1].Properties.ContainerDefinitions as {
    Command: string[]
    Image: unknown
    Secrets: { Name: string }[]
  }[]
  t.same(container!.Command, ['node', 'packages/db/src/cli.ts', 'up'])
  t.match(JSON.stringify(container!.Image), /flash-sale\/tools:.*ToolsImageTag/)
  t.same(
    container!.Secrets.map((s) => s.Name),
    ['DATABASE_URL', 'APP_DATABASE_URL'],
    'the owner migrates and creates the services user',
  )
  t.notOk(
    resources(platform, 'AWS::ECS::Service').some(([, s]) => JSON.stringify(s).includes('migrate')),
    'not a service',
  )
})

t.test('VPC: 2 AZs, tasks private, data isolated, flow logs', async (t) => {
  const subnets = resources(platform, 'AWS::EC2::Subnet')
  t.equal(subnets.length, 6, 'public, app and data subnets in each of 2 AZs')
  for (const [, s] of subnets)
    t.notOk(s.Properties.MapPublicIpOnLaunch && !JSON.stringify(s).includes('public'))
  platform.resourceCountIs('AWS::EC2::NatGateway', 2)
  platform.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' })
  platform.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' })
})

t.test('alarms: DLQ depth, finalizer lag, 5xx rate and p99 per target group; a dashboard', async (t) => {
  const alarms = resources(platform, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties)
  const find = (text: RegExp) => alarms.filter((a) => text.test(String(a.AlarmDescription)))
  t.match(find(/DLQ/)[0], {
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
  })
  t.match(find(/oldest order message/)[0], { MetricName: 'ApproximateAgeOfOldestMessage' })
  for (const service of ['auth-service', 'inventory-service', 'order-service']) {
    const [fiveXx] = find(new RegExp(`^${service} answers more than`))
    t.match(
      JSON.stringify(fiveXx?.Metrics),
      /HTTPCode_Target_5XX_Count.*RequestCount|RequestCount.*HTTPCode_Target_5XX_Count/,
    )
    const [p99] = find(new RegExp(`^${service} p99`))
    t.match(p99, { MetricName: 'TargetResponseTime', ExtendedStatistic: 'p99' })
  }
  for (const a of [...find(/DLQ|p99|5xx|oldest/)])
    t.ok((a.AlarmActions as unknown[]).length, 'notifies the topic')
  const board = resources(platform, 'AWS::CloudWatch::Dashboard')[0]![1]
  const body = JSON.stringify(board.Properties.DashboardBody)
  for (const label of ['accepted/s', 'commits/s', 'sold out', 'Queue depth']) t.match(body, label)
})

t.test(
  'alarms on the platform itself: ALB 5xx, Redis memory, MySQL CPU and connections, tasks',
  async (t) => {
    const alarms = resources(platform, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties)
    const find = (text: RegExp) => alarms.filter((a) => text.test(String(a.AlarmDescription)))
    const [elb] = find(/The ALB itself answered/)
    t.match(elb, { MetricName: 'HTTPCode_ELB_5XX_Count', Namespace: 'AWS/ApplicationELB', Statistic: 'Sum' })
    t.equal(elb?.TreatMissingData, 'missing', 'no datapoint is not treated as OK')
    const redis = find(/^Redis node/)
    t.equal(redis.length, 2, 'one per node of the replication group')
    for (const a of redis)
      t.match(a, { MetricName: 'DatabaseMemoryUsagePercentage', Namespace: 'AWS/ElastiCache' })
    t.match(find(/^MySQL CPU/)[0], { MetricName: 'CPUUtilization', Namespace: 'AWS/RDS' })
    const [connections] = find(/^MySQL connections/)
    t.match(connections, { MetricName: 'DatabaseConnections' })
    t.ok((connections?.Threshold as number) < requiredMaxConnections(), 'pages before MySQL refuses')
    for (const service of SERVICES) {
      const [tasks] = find(new RegExp(`^${service} runs fewer tasks than desired`))
      t.match(JSON.stringify(tasks?.Metrics), /desired - running/, service)
      t.match(
        JSON.stringify(tasks?.Metrics),
        /RunningTaskCount.*DesiredTaskCount|DesiredTaskCount.*RunningTaskCount/,
      )
    }
    for (const a of [elb, ...redis, connections])
      t.ok((a?.AlarmActions as unknown[] | undefined)?.length, 'notifies the topic')
  },
)
