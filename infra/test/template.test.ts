import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'
import { renderTemplates, staleTemplates } from '../src/synth.ts'

// One full `cdk synth` by the pinned CLI, with cdk-nag on, exactly as `npx cdk synth` and `npm run
// synth` do: the app throws on any finding that is not acknowledged, and a CLI that cannot read this
// aws-cdk-lib's cloud assembly exits 1, so reaching the assertions proves both are fine.
const rendered = await renderTemplates()

t.test('the committed templates are what `cdk synth` writes (npm run synth -w @flash/infra)', async (t) => {
  t.same(await staleTemplates(rendered), [])
})

t.test('`npm exec -w @flash/infra -- cdk` is the pinned CLI, new enough for aws-cdk-lib', async (t) => {
  const { stdout } = await promisify(execFile)(
    'npm',
    ['exec', '-w', '@flash/infra', '--', 'cdk', '--version'],
    {
      cwd: `${import.meta.dirname}/../..`,
    },
  )
  const [major, minor] = stdout.trim().split(/[. ]/).map(Number)
  // aws-cdk-lib 2.276 writes cloud-assembly schema 55, which CLI 2.1148.2 and later read.
  t.ok(major === 2 && minor! >= 1148, `cdk --version: ${stdout.trim()}`)
})

t.test('the template deploys with plain CloudFormation: no assets, no bootstrap rule', async (t) => {
  const template = JSON.parse(rendered.get('cloudformation-template.json')!) as {
    Parameters: Record<string, unknown>
    Rules?: unknown
    Resources: Record<string, { Type: string; Metadata?: unknown }>
  }
  t.notOk(template.Rules, 'no CheckBootstrapVersion rule')
  t.notOk('BootstrapVersion' in template.Parameters)
  t.notMatch(rendered.get('cloudformation-template.json')!, /cdk-hnb659fds-assets/, 'no asset bucket')
  t.notOk(
    Object.values(template.Resources).some((r) => r.Type === 'AWS::CDK::Metadata'),
    'no version reporting',
  )
})
