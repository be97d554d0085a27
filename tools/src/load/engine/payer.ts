// The buyers who pay (`flash-sale --pay RATIO`): while the sale runs and until every window closes,
// read the buyers' orders, and for a RATIO share of the orders that wait for their payment send the
// payment provider's signed webhook — built and signed by order-service's own local provider code, so
// the tool pays exactly as `npm run pay` and a provider do. The other buyers let their window lapse.
import { setTimeout as sleep } from 'node:timers/promises'
import type { ApiClient } from '@flash/api-client'
import { DEV_PAYMENT_WEBHOOK_SECRET, type Order } from '@flash/contracts'
import { localPaymentDelivery } from '@flash/order-service/payments'
import { type Dispatcher, request } from 'undici'
import { collectOrders } from '../audit/orders.ts'

/** The secret the platform verifies webhooks with: the deployment's, else the one `npm start` sets. */
export const webhookSecret = (env: Record<string, string | undefined> = process.env) =>
  env.PAYMENT_WEBHOOK_SECRET ?? DEV_PAYMENT_WEBHOOK_SECRET

/**
 * Which of the orders seen waiting pay, in the order they were seen: the n-th pays when it carries
 * the running share past a whole order, so any prefix pays `ratio` of its orders, rounded down.
 */
export function paysNth(n: number, ratio: number): boolean {
  return Math.floor((n + 1) * ratio + 1e-9) > Math.floor(n * ratio + 1e-9)
}

export interface PayerStats {
  /** Orders seen awaiting payment (each decided once). */
  seen: number
  /** Orders the tool chose to pay. */
  chosen: number
  /** Webhook answers by outcome (`applied`, `refund_due` …, `status.NNN` for a refusal). */
  outcomes: Record<string, number>
  /** Deliveries that got no 2xx before the order's pay_by (each retried until then). */
  undelivered: number
}

export interface Payer {
  stats: PayerStats
  /** Stops polling and waits for the deliveries under way. */
  stop(): Promise<PayerStats>
}

export function startPayer(opts: {
  client: ApiClient
  /** The API base: the webhook is `POST {url}/api/payments/webhook`, through the same gateway/ALB. */
  url: string
  dispatcher?: Dispatcher | undefined
  tokens: readonly string[]
  productId: number
  ratio: number
  secret: string
  /** Pause between two reads of every buyer's orders. */
  intervalMs?: number
}): Payer {
  const stats: PayerStats = { seen: 0, chosen: 0, outcomes: {}, undelivered: 0 }
  const decided = new Set<string>()
  const deliveries = new Set<Promise<void>>()
  const stopped = new AbortController()
  const count = (key: string) => {
    stats.outcomes[key] = (stats.outcomes[key] ?? 0) + 1
  }
  const pay = async (o: Order) => {
    const deadline = o.pay_by ? Date.parse(o.pay_by) : Date.now() + 30_000
    // The same event id on every attempt: a redelivery counts once, as with a provider's retries.
    const payment = {
      eventId: `evt_load_${o.order_uuid}`,
      orderUuid: o.order_uuid,
      amountCents: o.total_price_cents,
    }
    for (;;) {
      const { body, headers } = localPaymentDelivery(opts.secret, payment, Math.floor(Date.now() / 1000))
      try {
        const res = await request(`${opts.url}/api/payments/webhook`, {
          method: 'POST',
          headers,
          body,
          dispatcher: opts.dispatcher,
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        })
        const text = await res.body.text()
        if (res.statusCode >= 200 && res.statusCode < 300) {
          count((JSON.parse(text) as { outcome?: string }).outcome ?? 'received')
          return
        }
        // 4xx other than 429: the webhook refused it for good (a provider would stop as well).
        if (res.statusCode < 500 && res.statusCode !== 429) {
          count(`status.${res.statusCode}`)
          return
        }
      } catch {
        // Connection trouble: retried below, like any provider.
      }
      if (Date.now() > deadline) {
        stats.undelivered++
        return
      }
      await sleep(250)
    }
  }
  const decide = (orders: Order[]) => {
    // Oldest first, so the share is taken in the order the orders were committed.
    orders.sort((a, b) => a.updated_at.localeCompare(b.updated_at))
    for (const o of orders) {
      if (o.status !== 'awaiting_payment' || decided.has(o.order_uuid)) continue
      decided.add(o.order_uuid)
      if (!paysNth(stats.seen++, opts.ratio)) continue
      stats.chosen++
      const d = pay(o).finally(() => deliveries.delete(d))
      deliveries.add(d)
    }
  }
  const loop = (async () => {
    while (!stopped.signal.aborted) {
      try {
        // Each buyer's page is acted on as soon as it is read: a whole round takes seconds under load.
        await collectOrders(opts.client, opts.tokens, [opts.productId], undefined, decide)
      } catch {
        // A read refused under load: the next round reads again.
      }
      await sleep(opts.intervalMs ?? 250, undefined, { signal: stopped.signal }).catch(() => {})
    }
  })()
  return {
    stats,
    async stop() {
      stopped.abort()
      await loop
      await Promise.all(deliveries)
      return stats
    },
  }
}
