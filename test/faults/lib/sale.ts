import { ApiClient, expectOk } from '@flash/api-client'
import { inParallel } from '@flash/test-kit'
import { Agent } from 'undici'
import { type OrderAttemptLog, placeOrderLikeAClient } from './buyer.ts'
import type { FaultStack } from './fault-stack.ts'

export interface Buyer {
  userId: number
  token: string
  /** One logical order per buyer per sale, so "one order row per key" is "one row per buyer". */
  idempotencyKey: string
}

export interface SalePlan {
  buyers: number
  stock: number
  /** The product's max_per_user: the audit checks no buyer's completed units exceed it. */
  maxPerUser: number
  /**
   * Every n-th buyer, once answered, places a second order under a second key: beyond the limit when
   * the first was accepted, so Redis should refuse it — and MySQL must, when Redis forgot. 0: none.
   */
  greedyEvery: number
  /** Buyers arrive evenly over this window (an open arrival process, not a closed loop). */
  spreadMs: number
}

export const DEFAULT_SALE: SalePlan = {
  buyers: 300,
  stock: 180,
  maxPerUser: 1,
  greedyEvery: 10,
  spreadMs: 6_000,
}

/** One logical order: who placed it, under which key, and what it got. */
export interface SaleOrder {
  buyer: Buyer
  idempotencyKey: string
  log: OrderAttemptLog
}

/** What a scenario may look at while the sale runs, to time its fault. */
export class SaleProgress {
  accepted = 0
  answered = 0
  readonly startedAt = Date.now()
  /** Called with every accepted order at once (the payment rows' buyers act on it). */
  onAccepted: ((buyer: Buyer, orderUuid: string) => void) | undefined

  /** Resolves once `n` orders were accepted, or after `timeoutMs` (bounded either way). */
  async acceptedAtLeast(n: number, timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (this.accepted < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    return this.accepted >= n
  }
}

/**
 * Registers the buyers before the sale, politely: auth sheds sign-ins under load (503 + Retry-After),
 * so each registration is retried the way a client would, a bounded number of times.
 */
export async function registerBuyers(fs: FaultStack, count: number, tag: string): Promise<Buyer[]> {
  return inParallel(count, 8, async (i) => {
    const body = {
      name: `Buyer ${i}`,
      email: `buyer${i}@${tag}.faults.example.com`,
      password: 'buyer-password',
    }
    for (let attempt = 1; ; attempt++) {
      const res = await fs.api.register(body)
      if (res.ok)
        return { userId: res.data.user.id, token: res.data.access_token, idempotencyKey: `sale-${tag}-${i}` }
      if ((res.status !== 503 && res.status !== 429) || attempt === 10) expectOk(res)
      const hinted = Number(res.headers['retry-after'])
      await new Promise((r) => setTimeout(r, Number.isFinite(hinted) ? Math.min(hinted * 1000, 2_000) : 200))
    }
  })
}

/**
 * The flash sale: a hot product with less stock than buyers, buyers arriving evenly over
 * `spreadMs`, each placing one order like a real client (retries with its key). Resolves when every
 * buyer has its outcome — bounded by the buyer's own attempt and time limits.
 */
export async function runSale(
  fs: FaultStack,
  buyers: Buyer[],
  productId: number,
  plan: SalePlan,
  progress: SaleProgress,
  random: () => number,
): Promise<SaleOrder[]> {
  // The buyers' own pool and timeout: a stalled stack must cost them a timeout, not a hang.
  const client = new ApiClient({
    baseUrl: fs.stack.gatewayUrl!,
    dispatcher: new Agent({ connections: 128, keepAliveTimeout: 10_000, connect: { timeout: 2_000 } }),
    timeoutMs: 3_000,
  })
  try {
    const gap = plan.spreadMs / buyers.length
    const place = async (buyer: Buyer, idempotencyKey: string): Promise<SaleOrder> => {
      const log = await placeOrderLikeAClient(
        client,
        buyer.token,
        { product_id: productId, quantity: 1 },
        idempotencyKey,
        undefined,
        random,
      )
      progress.answered++
      if (log.outcome.kind === 'accepted') {
        progress.accepted++
        progress.onAccepted?.(buyer, log.outcome.orderUuid)
        // I3 "visible to its owner from that moment": the shop page asks for the order at once.
        const seen = await client.getOrder(buyer.token, log.outcome.orderUuid).catch(() => undefined)
        log.seenAtOnce = seen ? seen.status : 0
      }
      return { buyer, idempotencyKey, log }
    }
    const orders = await Promise.all(
      buyers.map(async (buyer, i) => {
        await new Promise((r) => setTimeout(r, Math.round(i * gap)))
        const first = await place(buyer, buyer.idempotencyKey)
        if (plan.greedyEvery <= 0 || i % plan.greedyEvery !== 0) return [first]
        return [first, await place(buyer, `${buyer.idempotencyKey}-again`)]
      }),
    )
    return orders.flat()
  } finally {
    await client.close()
  }
}
