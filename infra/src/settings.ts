import type { Node } from 'constructs'

/**
 * Deployment choices taken from CDK context (`cdk deploy -c multiAz=false`, or `cdk.json`), with
 * production defaults. The committed template is synthesised with the defaults.
 */
export interface Settings {
  /** The committed template is for one region (ALB access logs need the region's log-delivery principal). */
  readonly region: string
  /** RDS Multi-AZ standby and a Redis replica in the second AZ. */
  readonly multiAz: boolean
  /** ACM certificate for the HTTPS listener; without it the ALB listens on HTTP only. */
  readonly certificateArn: string | undefined
  /** One NAT gateway per AZ survives an AZ outage; 1 is cheaper for staging. */
  readonly natGateways: number
  /** The Ed25519 signing key (PKCS#8 PEM), created by hand before the first deploy (docs/deploy.md). */
  readonly jwtKeySecretName: string
  /** Request logs cost the hot path about two thirds of its throughput (TOOLCHAIN); errors are still logged. */
  readonly logLevel: string
  /** Where alarm notifications go, if anywhere besides the SNS topic. */
  readonly alarmEmail: string | undefined
}

const text = (node: Node, key: string): string | undefined => {
  const value = node.tryGetContext(key) as unknown
  return value === undefined || value === '' ? undefined : String(value)
}

export function settingsFrom(node: Node): Settings {
  const multiAz = text(node, 'multiAz') ?? 'true'
  if (multiAz !== 'true' && multiAz !== 'false')
    throw new Error(`context multiAz must be true or false, not ${multiAz}`)
  const natGateways = Number(text(node, 'natGateways') ?? 2)
  if (!Number.isInteger(natGateways) || natGateways < 1 || natGateways > 2)
    throw new Error('context natGateways must be 1 or 2')
  return {
    region: text(node, 'region') ?? 'us-east-1',
    multiAz: multiAz === 'true',
    certificateArn: text(node, 'certificateArn'),
    natGateways,
    jwtKeySecretName: text(node, 'jwtKeySecretName') ?? 'flash-sale/jwt-private-key',
    logLevel: text(node, 'logLevel') ?? 'warn',
    alarmEmail: text(node, 'alarmEmail'),
  }
}
