// deploy.yml: the `--parameters` of each `cdk deploy FlashSale`, one argument per line.
// Usage: node infra/src/ci/deploy-parameters.ts prepare|roll < stack-parameters.json
//   stdin: `aws cloudformation describe-stacks --query 'Stacks[0].Parameters'` ([] before the first deploy)
//   env:   SHA (the commit whose images were pushed), IMAGES (JSON array of images built for it), STACK
import { IMAGES, type ImageName, imageTagParameter } from '../topology.ts'

/** `prepare`: the new tools image before the migration task; `roll`: every built image, services on. */
export type Phase = 'prepare' | 'roll'
export interface StackParameter {
  readonly ParameterKey: string
  readonly ParameterValue: string
}

/**
 * Every image tag on every deploy (they have no default: a deploy that leaves one out cannot create
 * the stack), and `SchemaReady`. A tag changes only for an image built now: `tools` first (it carries
 * the migrations), the services in the roll. Operator parameters (CertificateArn, AlarmEmail,
 * AdminEmail) are never named, so CloudFormation keeps what a person set.
 */
export function deployParameters(
  phase: Phase,
  sha: string,
  built: readonly string[],
  current: readonly StackParameter[],
): Record<string, string> {
  const previous = new Map(current.map((p) => [p.ParameterKey, p.ParameterValue]))
  const firstDeploy = current.length === 0
  const missing = IMAGES.filter((image) => !built.includes(image) && !previous.has(imageTagParameter(image)))
  if (missing.length)
    throw new Error(
      `${firstDeploy ? 'the stack does not exist yet' : 'the stack has no tag for'}: build ${missing.join(', ')} too ` +
        '(a push to main builds every image on the first deploy)',
    )
  const rollsNow = (image: ImageName) =>
    built.includes(image) && (phase === 'roll' || image === 'tools' || firstDeploy)
  const parameters: Record<string, string> = {}
  for (const image of IMAGES) {
    const name = imageTagParameter(image)
    parameters[name] = rollsNow(image) ? sha : previous.get(name)!
  }
  // Until the migration task has succeeded on a new stack, no service task may start. A stack that
  // predates the parameter has served traffic on a migrated schema: keep it running.
  parameters.SchemaReady =
    phase === 'roll' ? 'true' : (previous.get('SchemaReady') ?? (firstDeploy ? 'false' : 'true'))
  return parameters
}

if (import.meta.main) {
  const phase = process.argv[2]
  if (phase !== 'prepare' && phase !== 'roll') throw new Error('usage: deploy-parameters.ts prepare|roll')
  const { SHA, IMAGES: built = '[]', STACK = 'FlashSale' } = process.env
  if (!SHA) throw new Error('SHA is not set')
  let input = ''
  for await (const chunk of process.stdin) input += chunk
  const current = JSON.parse(input.trim() || '[]') as StackParameter[] | null
  const parameters = deployParameters(phase, SHA, JSON.parse(built) as string[], current ?? [])
  for (const [name, value] of Object.entries(parameters))
    console.log(`--parameters\n${STACK}:${name}=${value}`)
}
