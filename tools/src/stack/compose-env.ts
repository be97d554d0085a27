import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { DevSecrets } from './secrets.ts'

export const COMPOSE_ENV_FILE = 'compose.env'
export const COMPOSE_AUTH_ENV_FILE = 'compose-auth.env'

/** A dotenv line Docker Compose reads back verbatim: double quotes with `\n` escapes (JSON's). */
const line = (name: string, value: string) => `${name}=${JSON.stringify(value)}\n`

/**
 * The dev secrets as the env files `docker-compose.yml` reads: the service token for every service,
 * the signing key in a file of its own that only auth-service is given.
 */
export async function writeComposeEnv(dir: string, secrets: DevSecrets): Promise<string[]> {
  const files = [
    { name: COMPOSE_ENV_FILE, body: line('SERVICE_TOKEN', secrets.serviceToken) },
    { name: COMPOSE_AUTH_ENV_FILE, body: line('JWT_PRIVATE_KEY', secrets.jwtPrivateKey) },
  ]
  for (const f of files) await writeFile(join(dir, f.name), f.body, { mode: 0o600 })
  return files.map((f) => join(dir, f.name))
}
