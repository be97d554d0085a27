import { createRequire } from 'node:module'

/**
 * What a new password must not be (NIST SP 800-63B §3.1.1.2, OWASP ASVS 2.1): a breached or commonly
 * used one, a single repeated character, only blanks, or the account's own email or name. Length
 * (8–128) is the schema's job. No composition rules: NIST advises against them.
 *
 * The list is `popular-passwords` (MIT): the 41,622 passwords of 8 characters or more from zxcvbn's
 * frequency lists (which come from leaked-password corpora), compared case-insensitively. Held as
 * a Set (≈ 3 MB) so the check costs one hash lookup.
 */
const COMMON: ReadonlySet<string> = new Set(
  (createRequire(import.meta.url)('popular-passwords') as string[]).map((p) => p.toLowerCase()),
)

export interface PasswordContext {
  email: string
  name: string
}

/** Why `password` is refused for this account, or undefined when it is acceptable. */
export function passwordWeakness(password: string, { email, name }: PasswordContext): string | undefined {
  const folded = password.toLowerCase()
  if (!folded.trim()) return 'must not be only blanks'
  if ([...folded].every((c) => c === folded[0])) return 'must not be one character repeated'
  if (COMMON.has(folded) || COMMON.has(folded.trim()))
    return 'is too common (found in lists of breached passwords)'
  const address = email.trim().toLowerCase()
  const local = address.split('@')[0] ?? ''
  const own = [address, local, name.trim().toLowerCase()].filter((v) => v.length > 0)
  if (own.includes(folded.trim())) return 'must not be your email address or name'
  return undefined
}
