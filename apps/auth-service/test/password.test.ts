import { randomBytes, scryptSync } from 'node:crypto'
import t from 'tap'
import { createPasswordHasher } from '../src/passwords/password.ts'
import { testHasherOptions } from './helpers.ts'

const hasher = await createPasswordHasher(testHasherOptions())

/** A hash in the scrypt format the service wrote before argon2id. */
const scryptHash = (password: string, N = 1024) => {
  const salt = randomBytes(16)
  const key = scryptSync(password.normalize('NFC'), salt, 32, { N, r: 8, p: 1, maxmem: 256 * N * 8 })
  return ['scrypt', N, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$')
}

t.test(
  'argon2id at OWASP minimum by default: PHC format with its parameters and a random salt',
  async (t) => {
    const owasp = await createPasswordHasher(testHasherOptions({ memoryKiB: 19_456, passes: 2 }))
    const a = await owasp.hash('correct horse')
    t.match(a, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/)
    t.ok(await owasp.verify('correct horse', a))
    t.ok(await hasher.verify('correct horse', a), 'any instance verifies with the parameters in the hash')
    const b = await hasher.hash('correct horse')
    t.not(b, await hasher.hash('correct horse'), 'same password, different salt, different hash')
    t.ok(await hasher.verify('correct horse', b))
    t.notOk(await hasher.verify('correct horsE', b))
    t.notOk(await hasher.verify('', b))
  },
)

t.test('old scrypt hashes keep verifying and always need a rehash', async (t) => {
  const legacy = scryptHash('pw123456')
  t.ok(await hasher.verify('pw123456', legacy))
  t.notOk(await hasher.verify('pw1234567', legacy))
  t.ok(hasher.needsRehash(legacy))
  t.ok(hasher.needsRehash(scryptHash('pw123456', 2 ** 15)), 'however strong the scrypt cost')
})

t.test('unreadable or hostile hash strings verify false, never throw', async (t) => {
  const good = await hasher.hash('pw123456')
  const [, , , params, salt, tag] = good.split('$')
  const legacy = scryptHash('pw123456').split('$')
  const bad = [
    '',
    'plain',
    'bcrypt$2b$10$abc',
    `$argon2i$v=19$${params}$${salt}$${tag}`, // another variant
    `$argon2id$v=16$${params}$${salt}$${tag}`, // another version
    `$argon2id$v=19$m=4194304,t=2,p=1$${salt}$${tag}`, // absurd memory
    `$argon2id$v=19$m=1024,t=99,p=1$${salt}$${tag}`, // absurd passes
    `$argon2id$v=19$${params}$$${tag}`, // no salt
    `$argon2id$v=19$${params}$${salt}$AAAA`, // truncated hash
    legacy.slice(0, 5).join('$'),
    ['scrypt', 3, 8, 1, legacy[4], legacy[5]].join('$'), // N not a power of two
    ['scrypt', 2 ** 30, 8, 1, legacy[4], legacy[5]].join('$'), // absurd memory
  ]
  for (const stored of bad) t.equal(await hasher.verify('pw123456', stored), false, stored.slice(0, 40))
})

t.test('dummy verification for unknown accounts is always false', async (t) => {
  t.equal(await hasher.verifyDummy('anything at all'), false)
})

t.test('weaker hashes need rehashing, stronger ones do not', async (t) => {
  const weak = await hasher.hash('pw123456')
  const stronger = await createPasswordHasher(testHasherOptions({ memoryKiB: 2048 }))
  const strong = await stronger.hash('pw123456')
  t.notOk(hasher.needsRehash(weak))
  t.notOk(hasher.needsRehash(strong), 'never downgraded')
  t.ok(stronger.needsRehash(weak))
  t.ok(hasher.needsRehash('garbage'))
  t.ok(await hasher.verify('pw123456', strong))
})

t.test('Unicode passwords compare in normal form', async (t) => {
  const composed = 'caf\u00e9 au lait'
  const decomposed = 'cafe\u0301 au lait'
  t.ok(await hasher.verify(decomposed, await hasher.hash(composed)))
  t.ok(await hasher.verify(decomposed, scryptHash(composed)), 'legacy hashes too')
})

t.test('beyond its queue the hasher refuses at once with 503 overloaded + Retry-After', async (t) => {
  const tight = await createPasswordHasher(
    testHasherOptions({ concurrency: 1, queueMax: 1, memoryKiB: 19_456 }),
  )
  const results = await Promise.allSettled(Array.from({ length: 6 }, () => tight.hash('pw123456')))
  const served = results.filter((r) => r.status === 'fulfilled')
  const shed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []))
  t.equal(served.length, 2, 'one running, one queued')
  t.equal(shed.length, 4, 'the rest refused without waiting')
  for (const error of shed) t.match(error, { code: 'overloaded', statusCode: 503, retryAfter: Number })
  t.equal(tight.gate.active + tight.gate.waiting, 0, 'nothing left holding a slot')
  t.ok(await tight.verify('pw123456', await served[0]!.value), 'and it serves again once idle')
})

t.test('a hash that would wait past the wait budget is shed, and rehash-if-idle never waits', async (t) => {
  const slow = await createPasswordHasher(
    testHasherOptions({ concurrency: 1, queueMax: 10, maxWaitMs: 1, memoryKiB: 19_456, passes: 2 }),
  )
  const first = slow.hash('pw123456')
  t.equal(await slow.hashIfIdle('pw123456'), undefined, 'busy: no opportunistic rehash')
  await t.rejects(slow.hash('pw123456'), { code: 'overloaded' }, 'waited too long: shed')
  await first
  t.match(await slow.hashIfIdle('pw123456'), /^\$argon2id\$/, 'idle: rehashes')
})
