import { type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'

/**
 * Verification of the scrypt hashes made before the move to argon2id (`scrypt$N$r$p$salt$hash`,
 * salt and hash base64url). Never used to make new hashes; a successful login rehashes them.
 */
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

/** False for a wrong password or anything that is not a readable scrypt hash; never throws. */
export async function verifyLegacyScrypt(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored)
  if (!parsed) return false
  const key = await derive(password, parsed.salt, parsed.hash.length, parsed.N, parsed.r, parsed.p)
  return timingSafeEqual(key, parsed.hash)
}
