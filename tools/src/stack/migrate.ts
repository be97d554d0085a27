import type { OutputSink } from './output.ts'
import { spawnSupervised } from './supervisor.ts'

export interface MigrateOptions {
  repoRoot: string
  env: Record<string, string | undefined>
  output: OutputSink
  timeoutMs?: number
}

/** `node packages/db/src/cli.ts up` (creates the database if missing); throws unless it exits 0. */
export async function runMigrations({ repoRoot, env, output, timeoutMs = 120_000 }: MigrateOptions) {
  const proc = spawnSupervised({
    label: 'migrate',
    args: ['packages/db/src/cli.ts', 'up'],
    cwd: repoRoot,
    env,
    output,
  })
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  const result = await Promise.race([proc.exited, timedOut])
  clearTimeout(timer)
  if (result === 'timeout') {
    await proc.stop(2_000)
    throw new Error(`migrations did not finish within ${timeoutMs} ms`)
  }
  if (result.code !== 0) {
    throw new Error(`migrations failed (exit ${result.code ?? result.signal}); see the migrate lines above`)
  }
}
