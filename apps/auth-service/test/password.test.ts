import t from 'tap'
import { createPasswordHasher } from '../src/password.ts'

const hasher = await createPasswordHasher(10)

t.test('hash format carries its parameters and a random salt', async (t) => {
  const a = await hasher.hash('correct horse')
  const b = await hasher.hash('correct horse')
  t.match(a, /^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/)
  t.not(a, b, 'same password, different salt, different hash')
  t.ok(await hasher.verify('correct horse', a))
  t.ok(await hasher.verify('correct horse', b))
  t.notOk(await hasher.verify('correct horsE', a))
  t.notOk(await hasher.verify('', a))
})

t.test('unreadable or hostile hash strings verify false, never throw', async (t) => {
  const good = await hasher.hash('pw123456')
  const parts = good.split('$')
  const bad = [
    '',
    'plain',
    'bcrypt$2b$10$abc',
    parts.slice(0, 5).join('$'),
    ['scrypt', 3, 8, 1, parts[4], parts[5]].join('$'), // N not a power of two
    ['scrypt', 2 ** 30, 8, 1, parts[4], parts[5]].join('$'), // absurd memory
    ['scrypt', 1024, 8, 1, '', parts[5]].join('$'), // no salt
    ['scrypt', 1024, 8, 1, parts[4], 'AAAA'].join('$'), // truncated hash
  ]
  for (const stored of bad) t.equal(await hasher.verify('pw123456', stored), false, stored.slice(0, 30))
})

t.test('dummy verification for unknown accounts is always false', async (t) => {
  t.equal(await hasher.verifyDummy('anything at all'), false)
})

t.test('weaker hashes need rehashing, stronger ones do not', async (t) => {
  const weak = await hasher.hash('pw123456')
  const strong = await (await createPasswordHasher(11)).hash('pw123456')
  t.notOk(hasher.needsRehash(weak))
  t.notOk(hasher.needsRehash(strong))
  t.ok((await createPasswordHasher(11)).needsRehash(weak))
  t.ok(hasher.needsRehash('garbage'))
  t.ok(await hasher.verify('pw123456', strong), 'verifies with the parameters stored in the hash')
})

t.test('Unicode passwords compare in normal form', async (t) => {
  const composed = 'caf\u00e9 au lait'
  const decomposed = 'cafe\u0301 au lait'
  t.ok(await hasher.verify(decomposed, await hasher.hash(composed)))
})
