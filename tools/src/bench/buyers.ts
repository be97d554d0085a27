// Buyers for the load: registered through auth-service with the typed client, a bounded number at a
// time and politely (a 429/503 waits its Retry-After, as in `npm run load`); their access tokens
// rotate per request in every scenario.
import { randomBytes } from 'node:crypto'
import { type ApiClient, expectOk } from '@flash/api-client'
import { inParallel } from '@flash/test-kit'
import { politely } from '../load/polite.ts'

export interface Buyers {
  tokens: string[]
  /** `Date.now()` when the tokens were issued. */
  issuedAt: number
  /** Logs every buyer in again (fresh access tokens for a long run). */
  renew(): Promise<void>
}

/** How long registering (or renewing) all buyers may wait on Retry-After before the bench gives up. */
const BUDGET_MS = 10 * 60_000

export async function registerBuyers(auth: ApiClient, count: number, width = 16): Promise<Buyers> {
  const run = randomBytes(4).toString('hex')
  const password = `bench-${randomBytes(12).toString('base64url')}`
  const emails = Array.from({ length: count }, (_, i) => `buyer-${i}-${run}@bench.example.com`)
  const buyers: Buyers = {
    tokens: [],
    issuedAt: Date.now(),
    async renew() {
      const issuedAt = Date.now()
      const deadlineMs = issuedAt + BUDGET_MS
      this.tokens = await inParallel(
        count,
        width,
        async (i) =>
          expectOk(await politely(() => auth.login({ email: emails[i]!, password }), { deadlineMs }))
            .access_token,
      )
      this.issuedAt = issuedAt
    },
  }
  const deadlineMs = Date.now() + BUDGET_MS
  buyers.tokens = await inParallel(
    count,
    width,
    async (i) =>
      expectOk(
        await politely(() => auth.register({ name: `Bench buyer ${i}`, email: emails[i]!, password }), {
          deadlineMs,
        }),
      ).access_token,
  )
  return buyers
}
