// `npm run synth -w @flash/infra` writes the committed CloudFormation templates;
// `--check` only compares and exits 1 when a committed template is stale (CI, and the tests).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp, PLATFORM_STACK, REGISTRY_STACK } from './app.ts'

export const INFRA_ROOT = join(import.meta.dirname, '..')
/** Committed template per stack, for people who deploy with plain CloudFormation. */
export const TEMPLATE_FILES: Record<string, string> = {
  [PLATFORM_STACK]: 'cloudformation-template.json',
  [REGISTRY_STACK]: 'cloudformation-registry.json',
}

/** Every template as it would be committed: the default context, nag-checked, stable formatting. */
export async function renderTemplates(): Promise<Map<string, string>> {
  const outdir = await mkdtemp(join(tmpdir(), 'flash-synth-'))
  try {
    const assembly = buildApp({ outdir }).app.synth()
    const rendered = new Map<string, string>()
    for (const [stack, file] of Object.entries(TEMPLATE_FILES))
      rendered.set(file, `${JSON.stringify(assembly.getStackByName(stack).template, null, 2)}\n`)
    return rendered
  } finally {
    await rm(outdir, { recursive: true, force: true })
  }
}

/** Files whose committed text differs from a fresh synth. */
export async function staleTemplates(rendered: Map<string, string>): Promise<string[]> {
  const stale: string[] = []
  for (const [file, text] of rendered) {
    const committed = await readFile(join(INFRA_ROOT, file), 'utf8').catch(() => '')
    if (committed !== text) stale.push(file)
  }
  return stale
}

if (import.meta.main) {
  const rendered = await renderTemplates()
  if (process.argv.includes('--check')) {
    const stale = await staleTemplates(rendered)
    for (const file of stale) console.error(`infra/${file} is stale: run npm run synth -w @flash/infra`)
    process.exit(stale.length ? 1 : 0)
  }
  for (const [file, text] of rendered) await writeFile(join(INFRA_ROOT, file), text)
  console.log(`wrote ${[...rendered.keys()].map((f) => `infra/${f}`).join(', ')}`)
}
