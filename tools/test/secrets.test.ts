import { createPublicKey, sign, verify } from 'node:crypto'
import { stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { generateDevSecrets, loadOrCreateDevSecrets } from '../src/index.ts'
import { tempDir } from './helpers/temp-dir.ts'

t.test('generates an Ed25519 PKCS#8 key that signs, and a long random service token', async (t) => {
  const a = generateDevSecrets()
  const b = generateDevSecrets()
  t.match(a.jwtPrivateKey, /^-----BEGIN PRIVATE KEY-----\n/)
  const signature = sign(null, Buffer.from('payload'), a.jwtPrivateKey)
  t.ok(verify(null, Buffer.from('payload'), createPublicKey(a.jwtPrivateKey), signature))
  t.ok(a.serviceToken.length >= 32)
  t.not(a.serviceToken, b.serviceToken)
  t.not(a.jwtPrivateKey, b.jwtPrivateKey)
})

t.test('creates the secrets once, owner-only, and reads the same ones back', async (t) => {
  const dir = join(await tempDir(t, 'keys'), 'dev-keys')
  const first = await loadOrCreateDevSecrets(dir)
  const second = await loadOrCreateDevSecrets(dir)
  t.same(second, first)
  t.equal((await stat(join(dir, 'jwt-private-key.pem'))).mode & 0o777, 0o600)
  t.equal((await stat(join(dir, 'service-token'))).mode & 0o777, 0o600)
  t.equal((await stat(dir)).mode & 0o777, 0o700)
})

t.test('concurrent first starts agree on one set of secrets', async (t) => {
  const dir = join(await tempDir(t, 'race'), 'dev-keys')
  const all = await Promise.all([1, 2, 3].map(() => loadOrCreateDevSecrets(dir)))
  t.same(all[1], all[0])
  t.same(all[2], all[0])
})

t.test('refuses damaged secrets and says how to recover', async (t) => {
  const dir = join(await tempDir(t, 'damaged'), 'dev-keys')
  await loadOrCreateDevSecrets(dir)
  await writeFile(join(dir, 'jwt-private-key.pem'), 'not a key')
  await t.rejects(loadOrCreateDevSecrets(dir), /damaged: delete that folder/)
})
