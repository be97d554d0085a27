import t from 'tap'
import { synth } from './fixture.ts'

// The context switches a deployment may flip (infra/cdk.json), synthesised with cdk-nag on (a finding
// would throw). HTTPS is a stack parameter: parameters.test.ts.
const { platform } = synth({ nag: true, context: { multiAz: 'false', natGateways: '1' } })

t.test('multiAz=false: single-AZ RDS and a single Redis node; one NAT gateway', async (_t) => {
  platform.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: false })
  platform.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
    NumCacheClusters: 1,
    AutomaticFailoverEnabled: false,
    MultiAZEnabled: false,
  })
  platform.resourceCountIs('AWS::EC2::NatGateway', 1)
})
