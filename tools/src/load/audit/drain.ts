// After the load: wait (bounded) until every accepted order is terminal, as the buyers see it.
import { setTimeout as sleep } from 'node:timers/promises'
import type { ApiClient } from '@flash/api-client'
import type { Progress } from '../engine/progress.ts'
import type { Order } from '@flash/contracts'
import { collectOrders, type OrderCounts, totalOf } from './orders.ts'

export interface Drain {
  drained: boolean
  /** From the end of the load to the poll that found nothing pending, nothing new (≥ 1 s resolution). */
  ms: number
  counts: Map<number, OrderCounts>
  /** The orders of the last poll (the buyers' view the audit judges). */
  orders: Order[]
}

export async function waitForTerminal(opts: {
  client: ApiClient
  tokens: readonly string[]
  productIds: readonly number[]
  /** 2xx answers seen: at least this many orders must exist. */
  accepted: number
  timeoutMs: number
  progress: Progress
  signal?: AbortSignal | undefined
  /**
   * With a payment window an order waiting for its payment still holds its unit: wait until it is
   * paid, expired or cancelled too (the timeout must then cover the window).
   */
  untilPaymentSettled?: boolean | undefined
}): Promise<Drain> {
  const started = performance.now()
  // Requests still in flight in the services when the load generator stopped keep creating orders for
  // a moment: drained means nothing pending and the same number of orders in two polls in a row.
  let previousTotal = -1
  for (;;) {
    const orders: Order[] = []
    const counts = await collectOrders(opts.client, opts.tokens, opts.productIds, orders)
    const t = totalOf(counts)
    const awaiting = opts.untilPaymentSettled
      ? orders.filter((o) => o.status === 'awaiting_payment').length
      : 0
    const ms = performance.now() - started
    const drained = t.pending === 0 && awaiting === 0 && t.total >= opts.accepted && t.total === previousTotal
    previousTotal = t.total
    if (drained || ms > opts.timeoutMs || opts.signal?.aborted) {
      opts.progress.say(
        drained
          ? `every order terminal ${(ms / 1000).toFixed(1)} s after the load (${t.completed} completed, ${t.failed} failed)`
          : `NOT drained after ${(ms / 1000).toFixed(0)} s: ${t.pending} pending, ${awaiting} awaiting payment, ${t.total} of ≥ ${opts.accepted} seen`,
      )
      return { drained, ms, counts, orders }
    }
    opts.progress.say(
      `draining: ${t.pending} pending, ${t.completed} completed, ${t.failed} failed` +
        (opts.untilPaymentSettled ? `, ${awaiting} awaiting payment, ${t.returned} expired/cancelled` : ''),
    )
    await sleep(1000)
  }
}
