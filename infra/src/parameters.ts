import { CfnCondition, CfnParameter, Fn, type Stack } from 'aws-cdk-lib'
import { IMAGES, type ImageName, imageTagParameter, repositoryName } from './topology.ts'

/**
 * `SchemaReady`: `false` (the default, so a stack created by hand or by the workflow starts that way)
 * keeps every service at zero tasks; the deploy workflow sets it to `true` only after the migration
 * task succeeded. So no service task can start on an empty schema, and the first deploy creates the
 * stack, migrates, then starts the services (docs/deploy.md).
 */
export const SCHEMA_READY = 'SchemaReady'
/** ACM certificate ARN; empty: HTTP only. A parameter, so every later deploy keeps it. */
export const CERTIFICATE_ARN = 'CertificateArn'
/** Address subscribed to the alarm topic; empty: none. */
export const ALARM_EMAIL = 'AlarmEmail'
/** The admin account auth-service seeds at start; its password is generated in Secrets Manager. */
export const ADMIN_EMAIL = 'AdminEmail'

/**
 * Everything an operator sets per deployment, as CloudFormation parameters: `cdk deploy` and plain
 * CloudFormation keep a parameter's previous value when a deploy does not name it, so the workflow's
 * deploys never undo what a person set (unlike CDK context, which each synth takes afresh).
 */
export class DeploymentParameters {
  readonly imageTags: Record<ImageName, string>
  readonly schemaReady: CfnCondition
  readonly certificateArn: string
  readonly hasCertificate: CfnCondition
  readonly alarmEmail: string
  readonly hasAlarmEmail: CfnCondition
  readonly adminEmail: string

  constructor(stack: Stack) {
    this.imageTags = {} as Record<ImageName, string>
    for (const image of IMAGES) {
      this.imageTags[image] = new CfnParameter(stack, imageTagParameter(image), {
        type: 'String',
        description: `Tag of ${repositoryName(image)} to run (the git sha CI built)`,
        allowedPattern: '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}',
      }).valueAsString
    }
    const schemaReady = new CfnParameter(stack, SCHEMA_READY, {
      type: 'String',
      allowedValues: ['true', 'false'],
      default: 'false',
      description: 'true once the migration task ran on this stack: until then every service runs 0 tasks',
    })
    this.schemaReady = new CfnCondition(stack, 'SchemaIsReady', {
      expression: Fn.conditionEquals(schemaReady.valueAsString, 'true'),
    })
    const certificate = new CfnParameter(stack, CERTIFICATE_ARN, {
      type: 'String',
      default: '',
      allowedPattern: '(arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+)?',
      description: 'ACM certificate for the HTTPS listener (HTTP then only redirects); empty: HTTP only',
    })
    this.certificateArn = certificate.valueAsString
    this.hasCertificate = new CfnCondition(stack, 'HasCertificate', {
      expression: Fn.conditionNot(Fn.conditionEquals(this.certificateArn, '')),
    })
    const alarmEmail = new CfnParameter(stack, ALARM_EMAIL, {
      type: 'String',
      default: '',
      description: 'E-mail address subscribed to the alarm topic; empty: none',
    })
    this.alarmEmail = alarmEmail.valueAsString
    this.hasAlarmEmail = new CfnCondition(stack, 'HasAlarmEmail', {
      expression: Fn.conditionNot(Fn.conditionEquals(this.alarmEmail, '')),
    })
    this.adminEmail = new CfnParameter(stack, ADMIN_EMAIL, {
      type: 'String',
      default: 'admin@example.com',
      allowedPattern: '[^@\\s]+@[^@\\s]+\\.[^@\\s]+',
      description: 'The admin account auth-service seeds (password: the AdminPasswordSecret output)',
    }).valueAsString
  }
}
