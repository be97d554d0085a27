import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Template } from 'aws-cdk-lib/assertions'
import { type BuildOptions, buildApp } from '../src/app.ts'

/**
 * Synthesises the app once for a whole test file (a synth takes seconds) into a temporary directory
 * removed at exit. nag is off by default here: template.test.ts and variants.test.ts run it.
 */
export function synth(options: Omit<BuildOptions, 'outdir'> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'flash-infra-test-'))
  process.on('exit', () => rmSync(outdir, { recursive: true, force: true }))
  const built = buildApp({ nag: false, ...options, outdir })
  return {
    ...built,
    platform: Template.fromStack(built.platform),
    registry: Template.fromStack(built.registry),
    platformStack: built.platform,
  }
}

export type Resource = { Type: string; Properties: Record<string, unknown> }

/** Resources of one type, by logical id. */
export function resources(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][]
}
