import { App, DefaultStackSynthesizer } from 'aws-cdk-lib'
import { applyNag } from './nag.ts'
import { PlatformStack } from './platform-stack.ts'
import { RegistryStack } from './registry-stack.ts'
import { settingsFrom } from './settings.ts'

export const PLATFORM_STACK = 'FlashSale'
export const REGISTRY_STACK = 'FlashSaleRegistry'

export interface BuildOptions {
  /** CDK context (multiAz, certificateArn, …); `cdk -c` passes it through the environment instead. */
  readonly context?: Record<string, string>
  readonly outdir?: string
  /** cdk-nag AwsSolutions checks at synth (default on: a finding fails the synth). */
  readonly nag?: boolean
}

/** The CDK app: registry and platform stacks, account-agnostic (the region is context). */
export function buildApp(options: BuildOptions = {}) {
  const app = new App({ context: options.context, outdir: options.outdir })
  // No bootstrap-version rule and no assets: the committed template deploys with plain CloudFormation.
  const synthesizer = () => new DefaultStackSynthesizer({ generateBootstrapVersionRule: false })
  const settings = settingsFrom(app.node)
  const env = { region: settings.region }
  const registry = new RegistryStack(app, REGISTRY_STACK, {
    env,
    synthesizer: synthesizer(),
    description: 'flash-sale: ECR repositories for every image',
  })
  const platform = new PlatformStack(app, PLATFORM_STACK, {
    env,
    synthesizer: synthesizer(),
    description:
      'flash-sale: VPC, ALB, one Fargate service per app, RDS MySQL, ElastiCache Redis, SQS, alarms',
    settings,
  })
  if (options.nag !== false) applyNag(app)
  return { app, registry, platform }
}
