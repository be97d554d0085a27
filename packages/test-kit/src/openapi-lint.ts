import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const cli = join(
  dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')),
  'bin',
  'cli.js',
)
/** The repository's lint rules (redocly.yaml at the root). */
const config = resolve(dirname(fileURLToPath(import.meta.url)), '../../../redocly.yaml')

export interface LintResult {
  /** Exit code of `redocly lint`: 0 only with no error. */
  code: number
  errors: number
  warnings: number
  /** What the CLI printed (stylish format), for the test's failure message. */
  output: string
}

/** Runs the real `redocly lint` CLI on an OpenAPI document, as CI would on a file. */
export async function lintOpenApi(document: object): Promise<LintResult> {
  const dir = await mkdtemp(join(tmpdir(), 'openapi-lint-'))
  try {
    const file = join(dir, 'openapi.json')
    await writeFile(file, JSON.stringify(document))
    const { code, output } = await new Promise<{ code: number; output: string }>((done) => {
      execFile(
        process.execPath,
        [cli, 'lint', file, '--config', config, '--format', 'stylish'],
        {
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
          timeout: 60_000,
        },
        (error, stdout, stderr) =>
          done({
            code: error ? Number((error as { code?: number }).code ?? 1) : 0,
            output: `${stdout}${stderr}`,
          }),
      )
    })
    const count = (what: string) => Number(new RegExp(`(\\d+) ${what}`).exec(output)?.[1] ?? 0)
    return { code, errors: count('errors?'), warnings: count('warnings?'), output }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
