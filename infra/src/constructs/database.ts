import { Duration, RemovalPolicy } from 'aws-cdk-lib'
import * as ec2 from 'aws-cdk-lib/aws-ec2'
import * as rds from 'aws-cdk-lib/aws-rds'
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import { Construct } from 'constructs'
import { acknowledge } from '../nag.ts'
import { DATABASE_NAME, requiredMaxConnections } from '../topology.ts'
import { ConnectionUrlSecret, URL_UNSAFE_CHARACTERS } from './connection-secret.ts'

/**
 * RDS MySQL 8: encrypted storage, credentials generated in Secrets Manager, deletion protection, and
 * a parameter group whose max_connections covers every service at its autoscaling ceiling.
 */
export class Database extends Construct {
  readonly instance: rds.DatabaseInstance
  /** DATABASE_URL for the services and the migration task. */
  readonly urlSecret: secretsmanager.ISecret

  constructor(scope: Construct, id: string, props: { vpc: ec2.IVpc; multiAz: boolean }) {
    super(scope, id)
    const engine = rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0_46 })
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'flash-sale: connections sized for the service pools',
      parameters: {
        max_connections: String(requiredMaxConnections()),
        // Lock waits are retried by the finalizer; fail them fast rather than holding a batch 50 s.
        innodb_lock_wait_timeout: '10',
      },
    })
    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      multiAz: props.multiAz,
      databaseName: DATABASE_NAME,
      credentials: rds.Credentials.fromGeneratedSecret('flash', { excludeCharacters: URL_UNSAFE_CHARACTERS }),
      parameterGroup,
      storageEncrypted: true,
      allocatedStorage: 50,
      maxAllocatedStorage: 500,
      storageType: rds.StorageType.GP3,
      backupRetention: Duration.days(7),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      cloudwatchLogsExports: ['error', 'slowquery'],
      enablePerformanceInsights: false,
      autoMinorVersionUpgrade: true,
    })
    const secret = this.instance.secret!
    if (!props.multiAz)
      acknowledge(
        this.instance,
        'RDS3',
        'single-AZ chosen with context multiAz=false (staging); production keeps the default',
      )
    acknowledge(
      this.instance.node.findChild('Secret'),
      'SMG4',
      'rotation needs a rotation Lambda and would leave the assembled URL secret stale; rotate by regenerating and redeploying (docs/deploy.md)',
    )
    acknowledge(
      this.instance,
      'RDS11',
      "a non-default port hides nothing from a scanner inside the VPC; only the services' security groups reach it",
    )
    const field = (name: string) => secret.secretValueFromJson(name).unsafeUnwrap()
    this.urlSecret = new ConnectionUrlSecret(this, 'DatabaseUrl', {
      description: 'flash-sale DATABASE_URL, assembled from the generated RDS credentials',
      parts: [
        'mysql://',
        field('username'),
        ':',
        field('password'),
        '@',
        this.instance.dbInstanceEndpointAddress,
        ':',
        this.instance.dbInstanceEndpointPort,
        `/${DATABASE_NAME}`,
      ],
    }).secret
  }

  allowFrom(peer: ec2.IConnectable, description: string): void {
    this.instance.connections.allowDefaultPortFrom(peer, description)
  }
}
