import { loadConfig } from '@flash/config'
import { SERVICE_PORTS, SERVICES, type ServiceName } from '@flash/routes'
import t from 'tap'
import { SERVICE_SCHEMAS } from '../src/service-environment.ts'
import { SIZING } from '../src/topology.ts'
import { type Resource, resources, synth } from './fixture.ts'

const { platform } = synth()
const all = platform.toJSON().Resources as Record<string, Resource>

const services = new Map(
  resources(platform, 'AWS::ECS::Service').map(([id, s]) => [
    s.Properties.ServiceName as ServiceName,
    { id, ...s },
  ]),
)
interface Container {
  Name: string
  Environment?: { Name: string; Value: unknown }[]
  Secrets?: { Name: string; ValueFrom: unknown }[]
  Image: unknown
  User?: string
}
const taskOf = (service: ServiceName) => {
  const ref = (services.get(service)!.Properties.TaskDefinition as { Ref: string }).Ref
  return all[ref]!.Properties as {
    TaskRoleArn: { 'Fn::GetAtt': [string, string] }
    ExecutionRoleArn: { 'Fn::GetAtt': [string, string] }
    ContainerDefinitions: Container[]
    RequiresCompatibilities: string[]
  }
}
/** Every IAM statement attached to a role, by the role's logical id. */
const statementsOf = (roleId: string) =>
  resources(platform, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(
      ([, p]) =>
        (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] })
          .Statement,
    )
const actionsOf = (roleId: string) => statementsOf(roleId).flatMap((s) => [s.Action].flat())

t.test('one Fargate service per app, rolled back by the circuit breaker', async (t) => {
  t.same([...services.keys()].sort(), [...SERVICES].sort())
  for (const [name, s] of services) {
    t.match(s.Properties, {
      LaunchType: 'FARGATE',
      // SchemaReady (parameters.test.ts): zero tasks until the migration task has run.
      DesiredCount: { 'Fn::If': ['SchemaIsReady', SIZING[name].minTasks, 0] },
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
      },
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
    })
    t.same(taskOf(name).RequiresCompatibilities, ['FARGATE'])
  }
  t.notOk(services.get('order-finalizer')!.Properties.LoadBalancers, 'finalizer: no load balancer')
})

t.test('each service its own log group, task role and execution role', async (t) => {
  const seen = { logs: new Set<string>(), task: new Set<string>(), exec: new Set<string>() }
  for (const service of SERVICES) {
    const task = taskOf(service)
    const container = task.ContainerDefinitions[0] as Container & {
      LogConfiguration: { Options: Record<string, { Ref: string }> }
    }
    seen.logs.add(container.LogConfiguration.Options['awslogs-group']!.Ref)
    seen.task.add(task.TaskRoleArn['Fn::GetAtt'][0])
    seen.exec.add(task.ExecutionRoleArn['Fn::GetAtt'][0])
    t.equal(container.User, 'node')
  }
  t.equal(seen.logs.size, SERVICES.length)
  t.equal(seen.task.size, SERVICES.length)
  t.equal(seen.exec.size, SERVICES.length)
})

t.test('task environment comes from the schema each service validates at boot', async (t) => {
  for (const service of SERVICES) {
    const container = taskOf(service).ContainerDefinitions[0]!
    const env = Object.fromEntries((container.Environment ?? []).map((e) => [e.Name, e.Value]))
    const secrets = (container.Secrets ?? []).map((s) => s.Name)
    const declared = Object.keys(SERVICE_SCHEMAS[service].properties)
    for (const name of [...Object.keys(env), ...secrets])
      t.ok(declared.includes(name), `${service}: ${name} is in its schema`)
    t.equal(env.PORT, String(SERVICE_PORTS[service]))
    t.equal(env.HOST, '0.0.0.0')
    // The values must pass the service's own boot validation (secrets stand in with valid shapes).
    const stand: Record<string, string> = {
      DATABASE_URL: 'mysql://flash_app:p@db:3306/flash_sale?tls=rds',
      ADMIN_PASSWORD: 'generated-by-secrets-manager',
      REDIS_URL: 'rediss://:t@redis:6379',
      SERVICE_TOKEN: 'x'.repeat(48),
      JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIE\n-----END PRIVATE KEY-----\n',
    }
    // A parameter takes its default; other tokens (queue names, CIDRs) resolve at deploy time.
    const parameters = platform.toJSON().Parameters as Record<string, { Default?: string }>
    const resolved = (v: unknown) => {
      const ref = (v as { Ref?: string } | null)?.Ref
      return ref && parameters[ref]?.Default !== undefined
        ? parameters[ref].Default
        : 'token-resolved-at-deploy'
    }
    const plain = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : resolved(v)]),
    )
    const input = { ...plain, ...Object.fromEntries(secrets.map((s) => [s, stand[s]])) }
    t.doesNotThrow(() => loadConfig(SERVICE_SCHEMAS[service] as never, input), `${service} boots with it`)
  }
})

t.test('secrets reach tasks only as ECS secrets, and the signing key only auth-service', async (t) => {
  for (const service of SERVICES) {
    const container = taskOf(service).ContainerDefinitions[0]!
    const plain = (container.Environment ?? []).map((e) => e.Name)
    for (const secret of ['DATABASE_URL', 'REDIS_URL', 'SERVICE_TOKEN', 'JWT_PRIVATE_KEY'])
      t.notOk(plain.includes(secret), `${service}: ${secret} not plain`)
    const secrets = (container.Secrets ?? []).map((s) => s.Name)
    t.equal(secrets.includes('JWT_PRIVATE_KEY'), service === 'auth-service', `${service}: signing key`)
    t.equal(secrets.includes('SERVICE_TOKEN'), service !== 'auth-service', `${service}: service token`)
    t.ok(secrets.includes('DATABASE_URL'))
    const url = (container.Secrets ?? []).find((x) => x.Name === 'DATABASE_URL')!.ValueFrom as { Ref: string }
    t.match(
      JSON.stringify(all[url.Ref]!.Properties.SecretString),
      /"mysql:\/\/flash_app:\{\{resolve:secretsmanager:/,
      `${service}: the row-access user, never the owner`,
    )
    t.equal(secrets.includes('REDIS_URL'), service !== 'order-finalizer', `${service}: Redis`)
  }
  t.notMatch(
    JSON.stringify(platform.toJSON()),
    /AKIA[0-9A-Z]{16}|aws_secret_access_key/i,
    'no AWS keys anywhere',
  )
})

t.test(
  'least privilege: order-service only sends, the finalizer consumes, nobody else touches SQS',
  async (t) => {
    const role = (s: ServiceName) => taskOf(s).TaskRoleArn['Fn::GetAtt'][0]
    const sqs = (s: ServiceName) => actionsOf(role(s)).filter((a) => a.startsWith('sqs:'))
    t.same(sqs('order-service').sort(), ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'])
    t.ok(sqs('order-finalizer').includes('sqs:ReceiveMessage'))
    t.ok(sqs('order-finalizer').includes('sqs:DeleteMessage'))
    t.notOk(sqs('order-finalizer').includes('sqs:PurgeQueue'), 'no service can purge')
    t.same(sqs('auth-service'), [])
    t.same(sqs('inventory-service'), [])
    for (const service of SERVICES) {
      for (const s of statementsOf(role(service)))
        t.not(s.Resource, '*', `${service}: task role names its resources`)
      const exec = taskOf(service).ExecutionRoleArn['Fn::GetAtt'][0]
      for (const s of statementsOf(exec).filter((x) => x.Resource === '*'))
        t.same(s.Action, 'ecr:GetAuthorizationToken', `${service}: the only wildcard of its execution role`)
    }
  },
)

t.test('CPU target tracking for every service, and the finalizer scales on queue depth', async (t) => {
  const targets = resources(platform, 'AWS::ApplicationAutoScaling::ScalableTarget')
  t.equal(targets.length, SERVICES.length)
  const scaled = targets.map(([, target]) => JSON.stringify(target.Properties.ResourceId))
  for (const [service, { id }] of services) {
    const target = targets[scaled.findIndex((r) => r.includes(`"${id}"`))]
    t.ok(target, `${service} is scalable`)
    t.match(target?.[1].Properties, {
      MinCapacity: { 'Fn::If': ['SchemaIsReady', SIZING[service].minTasks, 0] },
      MaxCapacity: { 'Fn::If': ['SchemaIsReady', SIZING[service].maxTasks, 0] },
    })
  }
  const policies = resources(platform, 'AWS::ApplicationAutoScaling::ScalingPolicy')
  const cpu = policies.filter(
    ([, p]) =>
      (
        p.Properties.TargetTrackingScalingPolicyConfiguration as {
          PredefinedMetricSpecification?: { PredefinedMetricType: string }
        }
      )?.PredefinedMetricSpecification?.PredefinedMetricType === 'ECSServiceAverageCPUUtilization',
  )
  t.equal(cpu.length, SERVICES.length)
  const backlog = resources(platform, 'AWS::CloudWatch::Alarm').filter(
    ([, a]) =>
      a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
      JSON.stringify(a.Properties.AlarmActions).includes('Backlog'),
  )
  t.ok(backlog.length >= 2, 'step scaling alarms (up and down) on the orders queue depth')
})

t.test('security groups: who may call whom', async (t) => {
  const ingress = resources(platform, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties)
  const describe = (p: Record<string, unknown>) => `${p.Description}:${p.FromPort}`
  const rules = ingress.map(describe)
  t.ok(rules.some((r) => r.startsWith('order-service → inventory-service:3002')))
  t.ok(rules.some((r) => r.startsWith('order-finalizer → inventory-service:3002')))
  t.notOk(
    rules.some((r) => r.startsWith('order-finalizer → auth-service')),
    'the finalizer verifies no tokens',
  )
  t.equal(
    rules.filter((r) => r.startsWith('order-finalizer tasks:')).length,
    1,
    'the finalizer reaches MySQL only',
  )
  t.notOk(
    rules.some((r) => r.startsWith('order-finalizer tasks:6379')),
    'the finalizer has no Redis',
  )
})

t.test('the DLQ tool, a one-off task, is the only role that may purge the DLQ', async (t) => {
  const tasks = resources(platform, 'AWS::ECS::TaskDefinition')
  const dlq = tasks.find(([, d]) => d.Properties.Family === 'flash-sale-dlq-tool')![1].Properties as {
    TaskRoleArn: { 'Fn::GetAtt': [string, string] }
    ContainerDefinitions: Container[]
  }
  const actions = actionsOf(dlq.TaskRoleArn['Fn::GetAtt'][0])
  t.ok(actions.includes('sqs:PurgeQueue'))
  t.ok(actions.includes('sqs:SendMessage'), 'replay sends back to the orders queue')
  t.match(JSON.stringify(dlq.ContainerDefinitions[0]!.Image), /flash-sale\/tools:/)
  const purgers = resources(platform, 'AWS::IAM::Policy').filter(([, p]) =>
    JSON.stringify(p.Properties.PolicyDocument).includes('sqs:PurgeQueue'),
  )
  t.equal(purgers.length, 1)
})
