import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'

/**
 * scrypt password hashes, self-describing: `scrypt$N$r$p$salt$hash` (salt and hash base64url), so
 * the cost can be raised later and old hashes still verify (and are flagged for rehashing).
 */
const BLOCK_SIZE = 8
const PARALLELISM = 1
const SALT_BYTES = 16
const KEY_BYTES = 32
/** Refuse to run hashes whose parameters are absurd (a corrupted or hostile row must not DoS us). */
const MAX_LOG2_N = 20

function derive(password: string, salt: Buffer, keyLength: number, N: number, r: number, p: number) {
  // scrypt needs 128·N·r bytes; Node's default ceiling (32 MiB) is exactly that at N=2^15, r=8.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r }
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    )
  })
}

interface Parsed {
  N: number
  r: number
  p: number
  salt: Buffer
  hash: Buffer
}

function parse(stored: string): Parsed | undefined {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number]
  const valid =
    Number.isInteger(N) &&
    N > 1 &&
    (N & (N - 1)) === 0 &&
    N <= 2 ** MAX_LOG2_N &&
    Number.isInteger(r) &&
    r >= 1 &&
    r <= 32 &&
    Number.isInteger(p) &&
    p >= 1 &&
    p <= 16
  if (!valid) return undefined
  const salt = Buffer.from(parts[4]!, 'base64url')
  const hash = Buffer.from(parts[5]!, 'base64url')
  if (salt.length < 8 || hash.length < 16) return undefined
  return { N, r, p, salt, hash }
}

export interface PasswordHasher {
  hash(password: string): Promise<string>
  /** Constant-time comparison; false for a wrong password or an unreadable hash. */
  verify(password: string, stored: string): Promise<boolean>
  /** Spends the same time as a real `verify`, for unknown accounts, so timing reveals nothing. */
  verifyDummy(password: string): Promise<false>
  /**
   * The stored hash is weaker than what we make now. Never true for a stronger one, so instances
   * running with different costs during a rollout do not downgrade each other's hashes.
   */
  needsRehash(stored: string): boolean
}

/** `cost` is log2 of scrypt's N (memory ≈ 128·2^cost·8 bytes per hash: 15 → 32 MiB). */
export async function createPasswordHasher(cost: number): Promise<PasswordHasher> {
  const N = 2 ** cost
  const hash = async (password: string) => {
    const salt = randomBytes(SALT_BYTES)
    const key = await derive(password, salt, KEY_BYTES, N, BLOCK_SIZE, PARALLELISM)
    return ['scrypt', N, BLOCK_SIZE, PARALLELISM, salt.toString('base64url'), key.toString('base64url')].join(
      '$',
    )
  }
  const verify = async (password: string, stored: string) => {
    const parsed = parse(stored)
    if (!parsed) return false
    const key = await derive(password, parsed.salt, parsed.hash.length, parsed.N, parsed.r, parsed.p)
    return timingSafeEqual(key, parsed.hash)
  }
  const dummy = await hash(randomBytes(16).toString('hex'))
  return {
    hash,
    verify,
    async verifyDummy(password) {
      await verify(password, dummy)
      return false
    },
    needsRehash(stored) {
      const parsed = parse(stored)
      return !parsed || parsed.N * parsed.r * parsed.p < N * BLOCK_SIZE * PARALLELISM
    },
  }
}
