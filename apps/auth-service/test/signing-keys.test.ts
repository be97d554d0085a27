import { generateKeyPairSync } from 'node:crypto'
import { generateSigningKeyPair } from '@flash/service-kit'
import t from 'tap'
import { loadSigningKeys } from '../src/plugins/signing-keys.ts'

t.test('an Ed25519 PKCS#8 key yields a public-only JWKS', async (t) => {
  const { jwks, kid } = loadSigningKeys({
    privateKeyPem: generateSigningKeyPair().privateKeyPem,
    keyId: 'k-2026',
  })
  t.equal(kid, 'k-2026')
  t.same(Object.keys(jwks.keys[0] ?? {}).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x'])
  t.match(jwks.keys[0], { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: 'k-2026' })
})

t.test('unreadable or non-Ed25519 keys refuse to load, naming the variable', async (t) => {
  const garbage = '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n'
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString()
  t.throws(() => loadSigningKeys({ privateKeyPem: garbage, keyId: 'k' }), /JWT_PRIVATE_KEY is not a readable/)
  t.throws(
    () => loadSigningKeys({ privateKeyPem: ec, keyId: 'k' }),
    /JWT_PRIVATE_KEY must be an Ed25519 key \(got ec\)/,
  )
})
