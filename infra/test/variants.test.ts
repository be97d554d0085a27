import { Match } from 'aws-cdk-lib/assertions'
import t from 'tap'
import { synth } from './fixture.ts'

// The context switches a deployment may flip, synthesised with cdk-nag on (a finding would throw).
const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000'
const { platform } = synth({ nag: true, context: { certificateArn, multiAz: 'false', natGateways: '1' } })

t.test('with a certificate: HTTPS on 443 with a TLS 1.3 policy, HTTP only redirects', async (_t) => {
  platform.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
    Port: 443,
    Protocol: 'HTTPS',
    Certificates: [{ CertificateArn: certificateArn }],
    SslPolicy: Match.stringLikeRegexp('TLS13'),
  })
  platform.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
    Port: 80,
    DefaultActions: [
      Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Port: '443' }) }),
    ],
  })
  platform.hasOutput('ApiUrl', { Value: { 'Fn::Join': ['', Match.arrayWith(['https://'])] } })
})

t.test('multiAz=false: single-AZ RDS and a single Redis node; one NAT gateway', async (_t) => {
  platform.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: false })
  platform.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
    NumCacheClusters: 1,
    AutomaticFailoverEnabled: false,
    MultiAZEnabled: false,
  })
  platform.resourceCountIs('AWS::EC2::NatGateway', 1)
})
