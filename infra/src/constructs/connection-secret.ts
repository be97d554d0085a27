import { Fn, SecretValue } from 'aws-cdk-lib'
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import { Construct } from 'constructs'
import { acknowledge } from '../nag.ts'

/** Characters a generated password must not contain so it can sit unescaped in a connection URL. */
export const URL_UNSAFE_CHARACTERS = ` !"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`

/**
 * A secret holding a whole connection URL (`DATABASE_URL`, `REDIS_URL`), because the services take
 * one URL variable and ECS injects secrets as whole variables. The URL is assembled by CloudFormation
 * from dynamic references (`{{resolve:secretsmanager:…}}`) to the generated password's secret: the
 * template and the task definition only ever contain references, never the password itself. When
 * the password changes, redeploy the stack so this secret is rebuilt (docs/deploy.md).
 */
export class ConnectionUrlSecret extends Construct {
  readonly secret: secretsmanager.Secret

  constructor(scope: Construct, id: string, props: { description: string; parts: string[] }) {
    super(scope, id)
    this.secret = new secretsmanager.Secret(this, 'Url', {
      description: props.description,
      // Only dynamic references are in this string; CloudFormation resolves them at deploy time.
      secretStringValue: SecretValue.unsafePlainText(Fn.join('', props.parts)),
    })
    acknowledge(
      this.secret,
      'SMG4',
      'derived from another secret at deploy time: it changes when its source does, by redeploying the stack',
    )
  }
}
