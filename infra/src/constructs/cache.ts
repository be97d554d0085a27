import * as ec2 from 'aws-cdk-lib/aws-ec2'
import * as elasticache from 'aws-cdk-lib/aws-elasticache'
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import { Construct } from 'constructs'
import { acknowledge } from '../nag.ts'
import { ConnectionUrlSecret, URL_UNSAFE_CHARACTERS } from './connection-secret.ts'

const REDIS_PORT = 6379

/**
 * ElastiCache Redis replication group, cluster mode off: the services connect with a single-endpoint
 * client (ioredis `Redis`) and some of their pipelines mix keys of several products, which a cluster
 * would refuse, so cluster mode is not supported: scale Redis up (node type), not out. TLS in
 * transit, encrypted at rest, an AUTH token from Secrets Manager, and `noeviction`: an evicted stock counter or reservation would be rebuilt,
 * but an evicted reservation loses its expiry bookkeeping until the next warm-up.
 */
export class Cache extends Construct {
  readonly group: elasticache.CfnReplicationGroup
  readonly securityGroup: ec2.SecurityGroup
  /** REDIS_URL (`rediss://:token@primary:6379`) for the services that use Redis. */
  readonly urlSecret: secretsmanager.ISecret

  constructor(scope: Construct, id: string, props: { vpc: ec2.IVpc; multiAz: boolean }) {
    super(scope, id)
    const subnets = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: 'flash-sale Redis: isolated data subnets',
      subnetIds: props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds,
    })
    const parameters = new elasticache.CfnParameterGroup(this, 'Parameters', {
      cacheParameterGroupFamily: 'redis7',
      description: 'flash-sale: stock state must never be evicted',
      properties: { 'maxmemory-policy': 'noeviction' },
    })
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'flash-sale Redis: reachable from the services that use it only',
      allowAllOutbound: false,
    })
    const token = new secretsmanager.Secret(this, 'AuthToken', {
      description: 'flash-sale Redis AUTH token',
      generateSecretString: { passwordLength: 64, excludeCharacters: URL_UNSAFE_CHARACTERS },
    })
    this.group = new elasticache.CfnReplicationGroup(this, 'Group', {
      replicationGroupDescription: 'flash-sale stock, reservations, revocations, idempotency keys',
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: 'cache.r7g.large',
      numCacheClusters: props.multiAz ? 2 : 1,
      automaticFailoverEnabled: props.multiAz,
      multiAzEnabled: props.multiAz,
      port: REDIS_PORT,
      cacheSubnetGroupName: subnets.ref,
      cacheParameterGroupName: parameters.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      authToken: token.secretValue.unsafeUnwrap(),
      snapshotRetentionLimit: 3,
    })
    acknowledge(
      token,
      'SMG4',
      'rotation needs a rotation Lambda and would leave the assembled URL secret stale; rotate by regenerating and redeploying (docs/deploy.md)',
    )
    acknowledge(
      this.group,
      'AEC5',
      "a non-default port hides nothing from a scanner inside the VPC; only the services' security groups reach it",
    )
    if (!props.multiAz)
      acknowledge(
        this.group,
        'AEC4',
        'single-AZ chosen with context multiAz=false (staging); production keeps the default',
      )
    this.urlSecret = new ConnectionUrlSecret(this, 'RedisUrl', {
      description: 'flash-sale REDIS_URL, assembled from the generated AUTH token',
      parts: [
        'rediss://:',
        token.secretValue.unsafeUnwrap(),
        '@',
        this.group.attrPrimaryEndPointAddress,
        ':',
        this.group.attrPrimaryEndPointPort,
      ],
    }).secret
  }

  allowFrom(peer: ec2.IConnectable, description: string): void {
    this.securityGroup.connections.allowFrom(peer, ec2.Port.tcp(REDIS_PORT), description)
  }
}
