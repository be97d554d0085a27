import { argon2, randomBytes, timingSafeEqual } from 'node:crypto'
import { hashingOverloaded } from '../errors.ts'
import { HashGate, HashGateFull, type HashGateOptions } from './hash-gate.ts'
import { verifyLegacyScrypt } from './password-scrypt.ts'

/**
 * Password hashes: argon2id (OWASP's first recommendation; its minimum is m=19 MiB, t=2, p=1) in the
 * standard PHC string form `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, so the cost can be raised
 * later and every hash still verifies with its own parameters. Hashes from before the move to
 * argon2id (`scrypt$N$r$p$salt$hash`) keep verifying and are flagged for rehashing at login.
 *
 * Every hash and verify goes through a HashGate: a burst beyond what the CPUs can do within the
 * wait budget is refused at once (HashGateFull → 503 + Retry-After) rather than queued.
 */
const SALT_BYTES = 16
const TAG_BYTES = 32
const VERSION = 19
/** Refuse to run hashes whose parameters are absurd (a corrupted or hostile row must not DoS us). */
const LIMITS = { maxMemoryKiB: 1_048_576, maxPasses: 10, maxParallelism: 16 }

export interface Argon2Cost {
  memoryKiB: number
  passes: number
}

export interface PasswordHasherOptions extends Argon2Cost, HashGateOptions {}

interface Argon2Hash extends Argon2Cost {
  parallelism: number
  salt: Buffer
  tag: Buffer
}

const b64 = (buffer: Buffer) => buffer.toString('base64').replace(/=+$/, '')

function derive(password: string, salt: Buffer, cost: Argon2Cost, parallelism: number, tagLength: number) {
  return new Promise<Buffer>((resolve, reject) => {
    argon2(
      'argon2id',
      {
        message: password.normalize('NFC'),
        nonce: salt,
        memory: cost.memoryKiB,
        passes: cost.passes,
        parallelism,
        tagLength,
      },
      (error, key) => (error ? reject(error) : resolve(key)),
    )
  })
}

function parseArgon2(stored: string): Argon2Hash | undefined {
  const match = /^\$argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(
    stored,
  )
  if (!match || Number(match[1]) !== VERSION) return undefined
  const [memoryKiB, passes, parallelism] = [match[2], match[3], match[4]].map(Number) as [
    number,
    number,
    number,
  ]
  const valid =
    parallelism >= 1 &&
    parallelism <= LIMITS.maxParallelism &&
    memoryKiB >= 8 * parallelism &&
    memoryKiB <= LIMITS.maxMemoryKiB &&
    passes >= 1 &&
    passes <= LIMITS.maxPasses
  const salt = Buffer.from(match[5]!, 'base64')
  const tag = Buffer.from(match[6]!, 'base64')
  if (!valid || salt.length < 8 || tag.length < 16) return undefined
  return { memoryKiB, passes, parallelism, salt, tag }
}

/** A full gate becomes the public 503 `overloaded` + Retry-After, before anything was written. */
async function shedding<T>(work: Promise<T>): Promise<T> {
  try {
    return await work
  } catch (error) {
    if (error instanceof HashGateFull) throw hashingOverloaded(error.retryAfter)
    throw error
  }
}

export interface PasswordHasher {
  hash(password: string): Promise<string>
  /** Hashes only if a slot is free right now (else undefined): for opportunistic rehashing at login. */
  hashIfIdle(password: string): Promise<string | undefined>
  /** Constant-time comparison; false for a wrong password or an unreadable hash. */
  verify(password: string, stored: string): Promise<boolean>
  /** Spends the same time as a real `verify`, for unknown accounts, so timing reveals nothing. */
  verifyDummy(password: string): Promise<false>
  /**
   * The stored hash is not argon2id or is weaker than what we make now. Never true for a stronger
   * one, so instances running with different costs during a rollout do not downgrade each other.
   */
  needsRehash(stored: string): boolean
  readonly gate: HashGate
}

export async function createPasswordHasher(options: PasswordHasherOptions): Promise<PasswordHasher> {
  const cost: Argon2Cost = { memoryKiB: options.memoryKiB, passes: options.passes }
  const gate = new HashGate(options)
  const compute = async (password: string) => {
    const salt = randomBytes(SALT_BYTES)
    const tag = await derive(password, salt, cost, 1, TAG_BYTES)
    return `$argon2id$v=${VERSION}$m=${cost.memoryKiB},t=${cost.passes},p=1$${b64(salt)}$${b64(tag)}`
  }
  const check = async (password: string, stored: string) => {
    const parsed = parseArgon2(stored)
    if (!parsed) return verifyLegacyScrypt(password, stored)
    const key = await derive(password, parsed.salt, parsed, parsed.parallelism, parsed.tag.length)
    return timingSafeEqual(key, parsed.tag)
  }
  const dummy = await compute(randomBytes(16).toString('hex'))
  return {
    gate,
    hash: (password) => shedding(gate.run(() => compute(password))),
    hashIfIdle: (password) => gate.runIfIdle(() => compute(password)),
    verify: (password, stored) => shedding(gate.run(() => check(password, stored))),
    async verifyDummy(password) {
      await shedding(gate.run(() => check(password, dummy)))
      return false
    },
    needsRehash(stored) {
      const parsed = parseArgon2(stored)
      return !parsed || parsed.memoryKiB * parsed.passes < cost.memoryKiB * cost.passes
    },
  }
}
