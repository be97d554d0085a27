// Where a report came from: the tool's version and the code's commit.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '../stack/repo-root.ts'

export const TOOL_NAME = 'flash-load'

export function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'tools/package.json'), 'utf8')) as { version: string }
  return pkg.version
}

export function gitState(): { commit: string; dirty: boolean } | undefined {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim()
    return { commit: git('rev-parse', '--short', 'HEAD'), dirty: git('status', '--porcelain').length > 0 }
  } catch {
    return undefined
  }
}
