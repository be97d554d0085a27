import type { Node } from 'constructs'

/**
 * Deployment choices that shape the template, taken from CDK context with production defaults. Set
 * them in `infra/cdk.json` ("context") and commit: every `cdk` command reads that file, the deploy
 * workflow's included, so no later deploy undoes them, and the committed template is what the CLI
 * synthesises from it. Choices an operator makes per stack (certificate, alarm e-mail, admin e-mail)
 * are CloudFormation parameters instead (parameters.ts). `region` alone comes from `-c region=…`
 * (the workflow passes the repository's AWS_REGION to every command).
 */
export interface Settings {
  /** The committed template is for one region (ALB access logs need the region's log-delivery principal). */
  readonly region: string
  /** RDS Multi-AZ standby and a Redis replica in the second AZ. */
  readonly multiAz: boolean
  /** One NAT gateway per AZ survives an AZ outage; 1 is cheaper for staging. */
  readonly natGateways: number
  /** The Ed25519 signing key (PKCS#8 PEM), created by hand before the first deploy (docs/deploy.md). */
  readonly jwtKeySecretName: string
  /** Request logs cost the hot path about two thirds of its throughput (TOOLCHAIN); errors are still logged. */
  readonly logLevel: string
}

const text = (node: Node, key: string): string | undefined => {
  const value = node.tryGetContext(key) as unknown
  return value === undefined || value === '' ? undefined : String(value)
}

/** Settings that are stack parameters: refused as context, so a command that passes one fails loudly. */
const MOVED_TO_PARAMETERS: Record<string, string> = {
  certificateArn: 'CertificateArn',
  alarmEmail: 'AlarmEmail',
}

export function settingsFrom(node: Node): Settings {
  for (const [key, parameter] of Object.entries(MOVED_TO_PARAMETERS))
    if (text(node, key) !== undefined)
      throw new Error(
        `context ${key} is the stack parameter ${parameter} now: --parameters FlashSale:${parameter}=…`,
      )
  const multiAz = text(node, 'multiAz') ?? 'true'
  if (multiAz !== 'true' && multiAz !== 'false')
    throw new Error(`context multiAz must be true or false, not ${multiAz}`)
  const natGateways = Number(text(node, 'natGateways') ?? 2)
  if (!Number.isInteger(natGateways) || natGateways < 1 || natGateways > 2)
    throw new Error('context natGateways must be 1 or 2')
  return {
    region: text(node, 'region') ?? 'us-east-1',
    multiAz: multiAz === 'true',
    natGateways,
    jwtKeySecretName: text(node, 'jwtKeySecretName') ?? 'flash-sale/jwt-private-key',
    logLevel: text(node, 'logLevel') ?? 'warn',
  }
}
