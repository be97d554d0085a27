import t from 'tap'
import { renderTemplates, staleTemplates } from '../src/synth.ts'

// One full synth with cdk-nag on, exactly as `npm run synth` does: it throws on any finding that is
// not acknowledged, so reaching the assertions proves zero unacknowledged AwsSolutions findings.
const rendered = await renderTemplates()

t.test('the committed templates are what the code synthesises (npm run synth -w @flash/infra)', async (t) => {
  t.same(await staleTemplates(rendered), [])
})

t.test('the template deploys with plain CloudFormation: no assets, no bootstrap rule', async (t) => {
  const template = JSON.parse(rendered.get('cloudformation-template.json')!) as {
    Parameters: Record<string, unknown>
    Rules?: unknown
  }
  t.notOk(template.Rules, 'no CheckBootstrapVersion rule')
  t.notOk('BootstrapVersion' in template.Parameters)
  t.notMatch(rendered.get('cloudformation-template.json')!, /cdk-hnb659fds-assets/, 'no asset bucket')
})
