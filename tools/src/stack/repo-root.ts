import { fileURLToPath } from 'node:url'

/** The monorepo root (this file is tools/src/stack/repo-root.ts), whatever the caller's cwd. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
