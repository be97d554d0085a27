// The buyers' orders for the run's products, read through the public API (GET /api/orders as each
// buyer): it works against any deployment and sees exactly what a buyer sees.
import type { ApiClient } from '@flash/api-client'
import type { Order } from '@flash/contracts'
import { politely } from '../engine/polite.ts'

export interface OrderCounts {
  total: number
  pending: number
  completed: number
  failed: number
  completedUnits: number
  /** Expired or cancelled orders: their units went back on sale (neither sold nor failed). */
  returned: number
  failedReasons: Record<string, number>
}

export const emptyCounts = (): OrderCounts => ({
  total: 0,
  pending: 0,
  completed: 0,
  failed: 0,
  completedUnits: 0,
  returned: 0,
  failedReasons: {},
})

export function countOrders(orders: readonly Order[], into: Map<number, OrderCounts>): void {
  for (const o of orders) {
    const c = into.get(o.product_id)
    if (!c) continue
    c.total++
    if (o.status === 'pending') c.pending++
    else if (o.status === 'completed' || o.status === 'awaiting_payment' || o.status === 'paid') {
      // Units taken from stock: with a payment window an order holds its unit from the commit on.
      c.completed++
      c.completedUnits += o.quantity
    } else if (o.status === 'expired' || o.status === 'cancelled') {
      c.returned++
    } else {
      c.failed++
      const reason = o.failed_reason ?? 'unknown'
      c.failedReasons[reason] = (c.failedReasons[reason] ?? 0) + 1
    }
  }
}

export function totalOf(counts: Map<number, OrderCounts>): OrderCounts {
  const t = emptyCounts()
  for (const c of counts.values()) {
    t.total += c.total
    t.pending += c.pending
    t.completed += c.completed
    t.failed += c.failed
    t.completedUnits += c.completedUnits
    t.returned += c.returned
    for (const [r, n] of Object.entries(c.failedReasons)) t.failedReasons[r] = (t.failedReasons[r] ?? 0) + n
  }
  return t
}

/** Pages of one buyer read at most (100 orders each): bounds a reused buyers file's history. */
const MAX_PAGES = 50
const WIDTH = 16

export async function collectOrders(
  client: ApiClient,
  tokens: readonly string[],
  productIds: readonly number[],
  /** Also collects the orders themselves (of `productIds`) here. */
  sink?: Order[],
): Promise<Map<number, OrderCounts>> {
  const counts = new Map(productIds.map((id) => [id, emptyCounts()]))
  const deadlineMs = Date.now() + 60_000
  let next = 0
  const one = async (token: string) => {
    let cursor: string | undefined
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await politely(
        () => client.listOrders(token, { limit: 100, ...(cursor ? { cursor } : {}) }),
        {
          deadlineMs,
        },
      )
      if (!res.ok) throw new Error(`GET /api/orders answered ${res.status}: ${res.problem?.title}`)
      countOrders(res.data.data, counts)
      if (sink) for (const o of res.data.data) if (counts.has(o.product_id)) sink.push(o)
      if (!res.data.next_cursor) return
      cursor = res.data.next_cursor
    }
  }
  await Promise.all(
    Array.from({ length: Math.min(WIDTH, tokens.length) }, async () => {
      while (next < tokens.length) await one(tokens[next++]!)
    }),
  )
  return counts
}
