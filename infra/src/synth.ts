// `npm run synth -w @flash/infra` writes the committed CloudFormation templates;
// `--check` only compares and exits 1 when a committed template is stale (CI, and the tests).
// Both run the real `cdk` CLI (`cdk synth`), exactly as `cd infra && npx cdk synth` and every
// `cdk deploy` do: a CLI that cannot read this aws-cdk-lib's cloud assembly fails here, not in AWS.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { PLATFORM_STACK, REGISTRY_STACK } from './app.ts'

export const INFRA_ROOT = join(import.meta.dirname, '..')
/** Committed template per stack, for people who deploy with plain CloudFormation. */
export const TEMPLATE_FILES: Record<string, string> = {
  [PLATFORM_STACK]: 'cloudformation-template.json',
  [REGISTRY_STACK]: 'cloudformation-registry.json',
}
/** The CLI pinned in infra/package.json (an aws-cdk-lib needs a CLI at least as new as its schema). */
export const CDK_CLI = createRequire(import.meta.url).resolve('aws-cdk/bin/cdk')

/**
 * `cdk synth` into `outdir`, with the CLI's own defaults and `cdk.json` (no context beyond it):
 * the app runs under this Node (type stripping), cdk-nag included, so a finding fails the synth.
 */
export async function cliSynth(outdir: string, args: readonly string[] = []): Promise<void> {
  const env = { ...process.env, PATH: [dirname(process.execPath), process.env.PATH].join(delimiter) }
  await promisify(execFile)(process.execPath, [CDK_CLI, 'synth', '--quiet', '--output', outdir, ...args], {
    cwd: INFRA_ROOT,
    env,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: Error & { stderr?: string }) => {
    throw new Error(`cdk synth failed: ${error.stderr || error.message}`)
  })
}

/** Every template as `cdk synth` writes it, in the committed formatting. */
export async function renderTemplates(args: readonly string[] = []): Promise<Map<string, string>> {
  const outdir = await mkdtemp(join(tmpdir(), 'flash-synth-'))
  try {
    await cliSynth(outdir, args)
    const rendered = new Map<string, string>()
    for (const [stack, file] of Object.entries(TEMPLATE_FILES)) {
      const template = JSON.parse(await readFile(join(outdir, `${stack}.template.json`), 'utf8')) as unknown
      rendered.set(file, `${JSON.stringify(template, null, 2)}\n`)
    }
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
