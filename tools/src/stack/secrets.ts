import { createPrivateKey, randomBytes } from 'node:crypto'
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateSigningKeyPair } from '@flash/service-kit'

export interface DevSecrets {
  /** PKCS#8 PEM of an Ed25519 key: auth-service's JWT_PRIVATE_KEY. */
  jwtPrivateKey: string
  /** SERVICE_TOKEN every service presents and checks on `/internal/*`. */
  serviceToken: string
}

export const PRIVATE_KEY_FILE = 'jwt-private-key.pem'
export const SERVICE_TOKEN_FILE = 'service-token'

export function generateDevSecrets(): DevSecrets {
  return {
    jwtPrivateKey: generateSigningKeyPair().privateKeyPem,
    serviceToken: randomBytes(32).toString('base64url'),
  }
}

/**
 * Creates `path` with `content` unless it exists. Written aside and hard-linked into place, so a
 * second start racing this one finds either no file or a complete one, never a half-written key.
 */
async function writeOnce(path: string, content: string): Promise<void> {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(aside, content, { mode: 0o600 })
  try {
    await link(aside, path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  } finally {
    await rm(aside, { force: true })
  }
}

/**
 * The dev stack's secrets, generated on first use and kept in `dir` (gitignored `tmp/dev-keys/`) so
 * tokens stay valid across restarts. Owner-only permissions: they are real keys, if only local ones.
 */
export async function loadOrCreateDevSecrets(dir: string): Promise<DevSecrets> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const fresh = generateDevSecrets()
  await writeOnce(join(dir, PRIVATE_KEY_FILE), fresh.jwtPrivateKey)
  await writeOnce(join(dir, SERVICE_TOKEN_FILE), `${fresh.serviceToken}\n`)
  const jwtPrivateKey = await readFile(join(dir, PRIVATE_KEY_FILE), 'utf8')
  const serviceToken = (await readFile(join(dir, SERVICE_TOKEN_FILE), 'utf8')).trim()
  let keyType: string | undefined
  try {
    keyType = createPrivateKey(jwtPrivateKey).asymmetricKeyType
  } catch {
    keyType = undefined
  }
  if (keyType !== 'ed25519' || serviceToken.length < 16) {
    throw new Error(`the dev secrets in ${dir} are damaged: delete that folder to generate new ones`)
  }
  return { jwtPrivateKey, serviceToken }
}
