// Buyers for the load: registered through auth-service with the typed client, a bounded number at a
// time; their access tokens rotate per request in every scenario.
import { randomBytes } from 'node:crypto'
import { type ApiClient, expectOk } from '@flash/api-client'
import { inParallel } from '@flash/test-kit'

export interface Buyers {
  tokens: string[]
  /** `Date.now()` when the tokens were issued. */
  issuedAt: number
  /** Logs every buyer in again (fresh access tokens for a long run). */
  renew(): Promise<void>
}

export async function registerBuyers(auth: ApiClient, count: number, width = 16): Promise<Buyers> {
  const run = randomBytes(4).toString('hex')
  const password = `bench-${randomBytes(12).toString('base64url')}`
  const emails = Array.from({ length: count }, (_, i) => `buyer-${i}-${run}@bench.example.com`)
  const buyers: Buyers = {
    tokens: [],
    issuedAt: Date.now(),
    async renew() {
      const issuedAt = Date.now()
      this.tokens = await inParallel(
        count,
        width,
        async (i) => expectOk(await auth.login({ email: emails[i]!, password })).access_token,
      )
      this.issuedAt = issuedAt
    },
  }
  buyers.tokens = await inParallel(
    count,
    width,
    async (i) =>
      expectOk(await auth.register({ name: `Bench buyer ${i}`, email: emails[i]!, password })).access_token,
  )
  return buyers
}
