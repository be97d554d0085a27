import { Duration, RemovalPolicy } from 'aws-cdk-lib'
import * as ec2 from 'aws-cdk-lib/aws-ec2'
import * as rds from 'aws-cdk-lib/aws-rds'
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import { Construct } from 'constructs'
import { acknowledge } from '../nag.ts'
import { APP_DATABASE_USER, DATABASE_NAME, requiredMaxConnections } from '../topology.ts'
import { ConnectionUrlSecret, URL_UNSAFE_CHARACTERS } from './connection-secret.ts'

/** `?tls=rds` (packages/db): TLS verified against the Amazon RDS certificate authorities. */
const TLS_QUERY = '?tls=rds'

/**
 * RDS MySQL 8.4 LTS: encrypted storage, TLS required for every connection, credentials generated in
 * Secrets Manager, deletion protection, and a parameter group whose max_connections covers every
 * service at its autoscaling ceiling. Two users: the owner (the generated master credentials), used
 * only by the migration task, and the services' user with row access only, which the migration task
 * creates from `appUrlSecret` (packages/db app-user.ts).
 */
export class Database extends Construct {
  readonly instance: rds.DatabaseInstance
  /** The owner's DATABASE_URL: the migration task's. */
  readonly ownerUrlSecret: secretsmanager.ISecret
  /** The services' DATABASE_URL (SELECT, INSERT, UPDATE, DELETE on the database only). */
  readonly appUrlSecret: secretsmanager.ISecret

  constructor(scope: Construct, id: string, props: { vpc: ec2.IVpc; multiAz: boolean }) {
    super(scope, id)
    const engine = rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_4_9 })
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'flash-sale: connections sized for the service pools',
      parameters: {
        max_connections: String(requiredMaxConnections()),
        // Lock waits are retried by the finalizer; fail them fast rather than holding a batch 50 s.
        innodb_lock_wait_timeout: '10',
        // Plain-text connections are refused: the services and the migration task connect with ?tls=rds.
        require_secure_transport: '1',
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
    const server = [
      '@',
      this.instance.dbInstanceEndpointAddress,
      ':',
      this.instance.dbInstanceEndpointPort,
      `/${DATABASE_NAME}${TLS_QUERY}`,
    ]
    this.ownerUrlSecret = new ConnectionUrlSecret(this, 'DatabaseUrl', {
      description: 'flash-sale owner DATABASE_URL (migration task only), from the generated RDS credentials',
      parts: ['mysql://', field('username'), ':', field('password'), ...server],
    }).secret
    const appPassword = new secretsmanager.Secret(this, 'AppPassword', {
      description: `flash-sale MySQL password of ${APP_DATABASE_USER}, the services' row-access user`,
      generateSecretString: { passwordLength: 40, excludeCharacters: URL_UNSAFE_CHARACTERS },
    })
    acknowledge(
      appPassword,
      'SMG4',
      'the migration task applies a new value on its next run (ALTER USER); rotate by regenerating and redeploying (docs/deploy.md)',
    )
    this.appUrlSecret = new ConnectionUrlSecret(this, 'AppDatabaseUrl', {
      description:
        'flash-sale services DATABASE_URL (row access only), assembled from the generated password',
      parts: [`mysql://${APP_DATABASE_USER}:`, appPassword.secretValue.unsafeUnwrap(), ...server],
    }).secret
  }

  allowFrom(peer: ec2.IConnectable, description: string): void {
    this.instance.connections.allowDefaultPortFrom(peer, description)
  }
}
