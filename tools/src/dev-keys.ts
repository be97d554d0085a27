// `node tools/src/dev-keys.ts`: creates the dev secrets in tmp/dev-keys/ (if missing) and writes the
// env files docker-compose.yml reads (compose.env, compose-auth.env). `npm start` needs none of this:
// it creates the secrets itself. Delete tmp/dev-keys/ to rotate them.
import { join } from 'node:path'
import { loadOrCreateDevSecrets, REPO_ROOT, writeComposeEnv } from './stack/index.ts'

const dir = join(REPO_ROOT, 'tmp', 'dev-keys')
const files = await writeComposeEnv(dir, await loadOrCreateDevSecrets(dir))
console.log(`dev secrets in ${dir}; compose env files: ${files.join(', ')}`)
