import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Teardown } from '@flash/test-kit'

/** A fresh directory under the OS temp dir, removed on teardown. */
export async function tempDir(t: Teardown, label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `flash-tools-${label}-`))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}
