import { type App, Validations } from 'aws-cdk-lib'
// cdk-nag's named exports do not load under Node's type stripping: use the default export.
import nag from 'cdk-nag'
import type { IConstruct } from 'constructs'

/** AwsSolutions checks on every stack of the app: any unacknowledged finding fails the synth. */
export function applyNag(app: App): void {
  Validations.of(app).addPlugins(new nag.AwsSolutionsChecks(app))
}

/**
 * Accepts one AwsSolutions finding on `scope` and what is below it, and only there. Called next to
 * the construct that causes the finding, so the reason sits beside the code it excuses.
 */
export function acknowledge(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${rule}`, reason })
}
