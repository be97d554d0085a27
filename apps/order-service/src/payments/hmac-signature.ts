import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Stripe-style webhook signatures: header `t=<unix seconds>,v1=<hex>` where v1 = HMAC-SHA256(secret,
 * `${t}.${rawBody}`). Signing the timestamp with the body lets the receiver refuse an old delivery
 * replayed by someone who captured it (the tolerance), and signing the raw bytes — never re-serialised
 * JSON — makes the check exact. Used by the local provider and by `npm run pay`, which must sign
 * exactly as a provider does.
 */
export function signatureHeader(secret: string, rawBody: Buffer | string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${hmac(secret, timestampSeconds, rawBody)}`
}

function hmac(secret: string, timestampSeconds: number, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`).update(rawBody).digest('hex')
}

/**
 * True when one of the header's v1 signatures matches and its timestamp is within `toleranceSeconds`
 * of now (either side: a sender's clock may run ahead). Constant-time comparison of the signatures.
 */
export function verifySignatureHeader(
  secret: string,
  header: string | undefined,
  rawBody: Buffer,
  nowSeconds: number,
  toleranceSeconds: number,
): boolean {
  if (!header || header.length > 1024) return false
  let timestamp: number | undefined
  const signatures: string[] = []
  for (const part of header.split(',')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const key = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value)
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value)
  }
  if (timestamp === undefined || signatures.length === 0) return false
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false
  const expected = Buffer.from(hmac(secret, timestamp, rawBody), 'hex')
  return signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected))
}
