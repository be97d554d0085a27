import { Match } from 'aws-cdk-lib/assertions'
import { matchRoute, ROUTE_TABLE, type ServiceName } from '@flash/routes'
import t from 'tap'
import { PUBLIC_SERVICES } from '../src/topology.ts'
import { type Resource, resources, synth } from './fixture.ts'

const { platform } = synth()

/** Target group logical id → the service whose ECS service registers into it. */
const serviceOfTargetGroup = new Map<string, ServiceName>()
for (const [, svc] of resources(platform, 'AWS::ECS::Service')) {
  const lbs = (svc.Properties.LoadBalancers ?? []) as { TargetGroupArn: { Ref: string } }[]
  for (const lb of lbs)
    serviceOfTargetGroup.set(lb.TargetGroupArn.Ref, svc.Properties.ServiceName as ServiceName)
}

interface Rule {
  priority: number
  paths: string[]
  service: ServiceName | undefined
}
const rules: Rule[] = resources(platform, 'AWS::ElasticLoadBalancingV2::ListenerRule')
  .filter(([, r]) => (r.Properties.Priority as number) < 1000)
  .map(([, r]: [string, Resource]) => {
    const p = r.Properties as {
      Priority: number
      Conditions: { Field: string; PathPatternConfig: { Values: string[] } }[]
      Actions: { Type: string; TargetGroupArn: { Ref: string } }[]
    }
    return {
      priority: p.Priority,
      paths: p.Conditions.flatMap((c) => (c.Field === 'path-pattern' ? c.PathPatternConfig.Values : [])),
      service: serviceOfTargetGroup.get(p.Actions[0]!.TargetGroupArn.Ref),
    }
  })
  .sort((a, b) => a.priority - b.priority)

t.test('listener rules, in priority order, are the route table', async (t) => {
  t.same(
    rules.flatMap((r) => r.paths.map((pattern) => ({ pattern, service: r.service }))),
    ROUTE_TABLE.map((r) => ({ pattern: r.pattern, service: r.service })),
  )
  for (const rule of rules) t.ok(rule.paths.length <= 5, `rule ${rule.priority}: at most 5 path values`)
  t.equal(new Set(rules.map((r) => r.priority)).size, rules.length, 'priorities are unique')
})

/** How the ALB picks a rule: lowest priority whose pattern matches (`*` matches anything). */
const albRoute = (path: string) =>
  rules.find((r) =>
    r.paths.some((p) => new RegExp(`^${p.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`).test(path)),
  )?.service

t.test('the ALB sends every path where the dev gateway does, and never routes /internal', async (t) => {
  const paths = [
    ...ROUTE_TABLE.map((r) => r.pattern.replace('*', 'x/y')),
    '/api/orders/0190f1e2-aaaa',
    '/api/products/42/restock',
    '/.well-known/jwks.json',
    '/internal/reservations',
    '/internal/reservations/settle',
    '/health',
    '/metrics',
    '/api/meeting',
    '/',
  ]
  for (const path of paths) t.equal(albRoute(path), matchRoute(path), path)
  for (const path of paths.filter((p) => p.startsWith('/internal'))) t.equal(albRoute(path), undefined, path)
})

t.test(
  'internet-facing ALB, HTTP without a certificate, unknown paths answered 404 problem+json',
  async (_t) => {
    platform.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    })
    // The main listener (HTTP without a certificate, parameters.test.ts) and the redirect on 80, which
    // exists only with a certificate.
    platform.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2)
    platform.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      DefaultActions: [
        {
          Type: 'fixed-response',
          FixedResponseConfig: Match.objectLike({
            StatusCode: '404',
            ContentType: 'application/problem+json',
          }),
        },
      ],
    })
  },
)

t.test('one target group per public service, health-checked on /health (never shed)', async (t) => {
  const groups = resources(platform, 'AWS::ElasticLoadBalancingV2::TargetGroup')
  t.equal(groups.length, PUBLIC_SERVICES.length)
  t.same([...serviceOfTargetGroup.values()].sort(), [...PUBLIC_SERVICES].sort())
  t.notOk(PUBLIC_SERVICES.includes('order-finalizer'), 'the finalizer has no load balancer')
  for (const [, g] of groups) {
    t.match(g.Properties, { HealthCheckPath: '/health', TargetType: 'ip', Matcher: { HttpCode: '200' } })
  }
})

t.test('service-to-service calls stay inside: Service Connect names auth and inventory', async (t) => {
  platform.hasResourceProperties('AWS::ServiceDiscovery::HttpNamespace', { Name: 'flash-sale.internal' })
  const servers = resources(platform, 'AWS::ECS::Service').flatMap(([, s]) => {
    const sc = s.Properties.ServiceConnectConfiguration as {
      Enabled: boolean
      Services?: { ClientAliases: { DnsName: string; Port: number }[] }[]
    }
    t.equal(sc.Enabled, true, `${s.Properties.ServiceName} is in the namespace`)
    return (sc.Services ?? []).flatMap((x) => x.ClientAliases.map((a) => `${a.DnsName}:${a.Port}`))
  })
  t.same(servers.sort(), ['auth-service:3001', 'inventory-service:3002'])
})

t.test(
  '/health and /ready reach a public service through the ALB only with its header (deploy smoke test)',
  async (t) => {
    const health = resources(platform, 'AWS::ElasticLoadBalancingV2::ListenerRule').filter(
      ([, r]) => (r.Properties.Priority as number) >= 1000,
    )
    t.equal(health.length, PUBLIC_SERVICES.length)
    for (const [, r] of health) {
      const conditions = r.Properties.Conditions as {
        Field: string
        Values?: string[]
        PathPatternConfig?: { Values: string[] }
        HttpHeaderConfig?: { HttpHeaderName: string; Values: string[] }
      }[]
      t.same(conditions.find((c) => c.Field === 'path-pattern')?.PathPatternConfig?.Values, [
        '/health',
        '/ready',
      ])
      const header = conditions.find((c) => c.Field === 'http-header')?.HttpHeaderConfig
      t.equal(header?.HttpHeaderName, 'x-flash-service')
      const target = (r.Properties.Actions as { TargetGroupArn: { Ref: string } }[])[0]!.TargetGroupArn.Ref
      t.same(header?.Values, [serviceOfTargetGroup.get(target)])
    }
  },
)
