import { App } from 'aws-cdk-lib'
import { FinalizerEnv } from '@flash/order-finalizer'
import { ROUTE_TABLE, SERVICES } from '@flash/routes'
import t from 'tap'
import { listenerRules, MAX_PATHS_PER_RULE } from '../src/listener-rules.ts'
import { settingsFrom } from '../src/settings.ts'
import { assertAllUsed, taskEnvironment } from '../src/task-environment.ts'
import { imageTagParameter, PUBLIC_SERVICES, QUEUE, requiredMaxConnections, SIZING } from '../src/topology.ts'

t.test(
  'listener rules: consecutive paths of one service share a rule of at most 5, in table order',
  async (t) => {
    const table = Array.from({ length: 7 }, (_, i) => ({ pattern: `/a/${i}`, service: SERVICES[0] }))
    const rules = listenerRules([
      ...table,
      { pattern: '/b', service: SERVICES[1] },
      { pattern: '/a/x', service: SERVICES[0] },
    ])
    t.same(
      rules.map((r) => [r.service, r.paths.length]),
      [
        [SERVICES[0], MAX_PATHS_PER_RULE],
        [SERVICES[0], 2],
        [SERVICES[1], 1],
        [SERVICES[0], 1],
      ],
    )
    t.same(
      rules.map((r) => r.priority),
      [10, 20, 30, 40],
    )
    t.throws(() => listenerRules([{ pattern: '/internal/reservations', service: SERVICES[1] }]), /internal/)
    t.same(
      listenerRules().flatMap((r) => r.paths),
      ROUTE_TABLE.map((r) => r.pattern),
    )
  },
)

t.test('task environment: taken from the schema, refusing a required variable with no value', async (t) => {
  const known = { HOST: { value: '0.0.0.0' }, NOT_IN_SCHEMA: { value: 'x' } }
  t.throws(() => taskEnvironment('order-finalizer', FinalizerEnv, known), /SERVICE_TOKEN/)
  const env = taskEnvironment('order-finalizer', FinalizerEnv, { ...known, SERVICE_TOKEN: { value: 'x' } })
  t.same(env.environment, { HOST: '0.0.0.0', SERVICE_TOKEN: 'x' }, 'undeclared variables are not passed')
  t.throws(() => assertAllUsed(['HOST', 'RENAMED_VARIABLE'], [FinalizerEnv]), /RENAMED_VARIABLE/)
  t.doesNotThrow(() => assertAllUsed(['HOST', 'MAX_ATTEMPTS'], [FinalizerEnv]))
})

t.test('the finalizer retries exactly as often as the queue redrives', async (t) => {
  t.equal((FinalizerEnv.properties.MAX_ATTEMPTS as { default?: number }).default, QUEUE.maxReceiveCount)
  t.equal(
    (FinalizerEnv.properties.VISIBILITY_TIMEOUT_SECONDS as { default?: number }).default,
    QUEUE.visibilityTimeoutSeconds,
  )
})

t.test('sizing and naming', async (t) => {
  t.equal(requiredMaxConnections({ ...SIZING }), requiredMaxConnections())
  t.ok(requiredMaxConnections() < 1000, 'fits an r6g.large MySQL comfortably')
  t.equal(imageTagParameter('order-finalizer'), 'OrderFinalizerImageTag')
  t.equal(imageTagParameter('tools'), 'ToolsImageTag')
  t.same([...PUBLIC_SERVICES].sort(), [...new Set(ROUTE_TABLE.map((r) => r.service))].sort())
})

t.test('settings: production defaults, validated context', async (t) => {
  const node = (context: Record<string, string>) => new App({ context }).node
  t.match(settingsFrom(node({})), { multiAz: true, natGateways: 2, region: 'us-east-1' })
  t.match(settingsFrom(node({ multiAz: 'false' })), { multiAz: false })
  // Stack parameters now, kept by every later deploy; as context a later synth would drop them.
  t.throws(() => settingsFrom(node({ certificateArn: 'arn:x' })), /stack parameter CertificateArn/)
  t.throws(() => settingsFrom(node({ alarmEmail: 'a@b.c' })), /stack parameter AlarmEmail/)
  t.throws(() => settingsFrom(node({ multiAz: 'yes' })), /multiAz/)
  t.throws(() => settingsFrom(node({ natGateways: '3' })), /natGateways/)
})
