import { SERVICES } from '@flash/routes'
import t from 'tap'
import { TARGET_HEALTH_PATH } from '../src/constructs/load-balancer.ts'
import { ADMIN_EMAIL, ALARM_EMAIL, CERTIFICATE_ARN, SCHEMA_READY } from '../src/parameters.ts'
import { IMAGES, imageTagParameter, SIZING } from '../src/topology.ts'
import { evaluator, type TemplateJson } from './cloudformation.ts'
import { synth } from './fixture.ts'

const template = synth().platform.toJSON() as TemplateJson
const tags = Object.fromEntries(IMAGES.map((image) => [imageTagParameter(image), 'abc123']))
const evaluate = (given: Record<string, string>) => evaluator(template, { ...tags, ...given })
const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000'

t.test('operator settings are stack parameters with defaults, kept by every later deploy', async (t) => {
  for (const name of [SCHEMA_READY, CERTIFICATE_ARN, ALARM_EMAIL, ADMIN_EMAIL])
    t.type(template.Parameters[name]?.Default, 'string', `${name} has a default`)
  t.equal(template.Parameters[SCHEMA_READY]!.Default, 'false', 'a new stack starts with no service task')
})

t.test('SchemaReady=false: no service task can start; true: every service at its minimum', async (t) => {
  for (const [ready, expect] of [
    ['false', (_: number) => 0],
    ['true', (n: number) => n],
  ] as const) {
    const { resources } = evaluate({ [SCHEMA_READY]: ready })
    const services = new Map(
      resources('AWS::ECS::Service').map(([id, s]) => [
        s.ServiceName as string,
        { id, desired: s.DesiredCount },
      ]),
    )
    const targets = resources('AWS::ApplicationAutoScaling::ScalableTarget')
    t.equal(services.size, SERVICES.length)
    for (const service of SERVICES) {
      t.equal(services.get(service)!.desired, expect(SIZING[service].minTasks), `${service} desired`)
      const target = targets.find(([, x]) =>
        JSON.stringify(x.ResourceId).includes(`"${services.get(service)!.id}"`),
      )
      t.ok(target, `${service} scalable target`)
    }
    for (const [, target] of targets) {
      if (ready === 'false')
        t.match(target, { MinCapacity: 0, MaxCapacity: 0 }, 'autoscaling cannot start one')
      else
        t.ok(
          (target.MaxCapacity as number) >= (target.MinCapacity as number) &&
            (target.MinCapacity as number) > 0,
        )
    }
  }
})

t.test('CertificateArn given: HTTPS on 443 (TLS 1.3 policy), HTTP 80 only redirects', async (t) => {
  const withCert = evaluate({ [CERTIFICATE_ARN]: certificateArn })
  const listeners = withCert.resources('AWS::ElasticLoadBalancingV2::Listener').map(([, l]) => l)
  t.equal(listeners.length, 2)
  const https = listeners.find((l) => l.Port === 443)
  t.match(https, { Protocol: 'HTTPS', Certificates: [{ CertificateArn: certificateArn }] })
  t.match(String(https?.SslPolicy), /TLS13/)
  t.match(
    listeners.find((l) => l.Port === 80),
    {
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443' } }],
    },
  )
  t.match(
    JSON.stringify(withCert.resolve(template.Outputs!.ApiUrl!.Value)),
    /^\{"Fn::Join":\["",\["https",":\/\/"/,
  )
  const rules = withCert.resources('AWS::ElasticLoadBalancingV2::ListenerRule')
  const httpsId = Object.entries(template.Resources).find(
    ([, r]) => r.Type === 'AWS::ElasticLoadBalancingV2::Listener' && !r.Condition,
  )![0]
  t.ok(
    rules.length > 0 && rules.every(([, r]) => (r.ListenerArn as { Ref: string }).Ref === httpsId),
    'routes on HTTPS',
  )
})

t.test('no CertificateArn: one plain HTTP listener on 80, answering 404 for unknown paths', async (t) => {
  const plain = evaluate({})
  const listeners = plain.resources('AWS::ElasticLoadBalancingV2::Listener').map(([, l]) => l)
  t.equal(listeners.length, 1)
  t.match(listeners[0], { Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'fixed-response' }] })
  t.notOk('Certificates' in listeners[0]! || 'SslPolicy' in listeners[0]!)
  t.match(
    JSON.stringify(plain.resolve(template.Outputs!.ApiUrl!.Value)),
    /^\{"Fn::Join":\["",\["http",":\/\/"/,
  )
})

t.test('AlarmEmail subscribes an address only when given', async (t) => {
  const subscriptions = (email: string) =>
    evaluate({ [ALARM_EMAIL]: email })
      .resources('AWS::SNS::Subscription')
      .map(([, s]) => s)
  t.same(subscriptions(''), [])
  t.match(subscriptions('ops@example.com'), [{ Protocol: 'email', Endpoint: 'ops@example.com' }])
})

t.test('the admin account: e-mail from AdminEmail, password generated in Secrets Manager', async (t) => {
  const { resources, resolve } = evaluate({ [ADMIN_EMAIL]: 'root@shop.example' })
  const auth = resources('AWS::ECS::TaskDefinition').find(
    ([, d]) => d.Family === 'flash-sale-auth-service',
  )![1]
  const [container] = auth.ContainerDefinitions as {
    Environment: { Name: string; Value: unknown }[]
    Secrets: { Name: string; ValueFrom: { Ref: string } }[]
  }[]
  t.same(resolve(container!.Environment.find((e) => e.Name === 'ADMIN_EMAIL')?.Value), 'root@shop.example')
  const secret = container!.Secrets.find((s) => s.Name === 'ADMIN_PASSWORD')
  t.ok(secret, 'ADMIN_PASSWORD is an ECS secret')
  const source = template.Resources[secret!.ValueFrom.Ref]!
  t.equal(source.Type, 'AWS::SecretsManager::Secret')
  t.match(source.Properties, { GenerateSecretString: { PasswordLength: 32 } })
  t.notOk(source.Properties?.SecretString, 'generated by Secrets Manager, never a value in the template')
  t.match(JSON.stringify(template.Outputs!.AdminPasswordSecret!.Value), secret!.ValueFrom.Ref)
  for (const [, d] of resources('AWS::ECS::TaskDefinition').filter(
    ([, d]) => d.Family !== 'flash-sale-auth-service',
  ))
    t.notMatch(JSON.stringify(d), /ADMIN_PASSWORD/, `${d.Family} never gets it`)
})

t.test('target groups check the liveness route, never /ready', async (t) => {
  const groups = evaluate({}).resources('AWS::ElasticLoadBalancingV2::TargetGroup')
  t.ok(groups.length > 0)
  for (const [, g] of groups) t.equal(g.HealthCheckPath, TARGET_HEALTH_PATH)
  t.equal(TARGET_HEALTH_PATH, '/health')
})
