// The buyers who pay (`flash-sale --pay RATIO`): every order the load has accepted (its 202 names it)
// is decided at once — a RATIO share of them, in the order they were accepted, will be paid. For those
// the payer follows the order as its buyer until it waits for its payment, then sends the payment
// provider's signed webhook, built and signed by order-service's own local provider code, so the tool
// pays exactly as `npm run pay` and a provider do (@flash/order-service is a dev dependency of the tools:
// the load tool runs from a checkout, never from the tools image). The other buyers let their window lapse.
import { setTimeout as sleep } from 'node:timers/promises'
import type { ApiClient } from '@flash/api-client'
import { DEV_PAYMENT_WEBHOOK_SECRET, type Order } from '@flash/contracts'
import { localPaymentDelivery } from '@flash/order-service/payments'
import { type Dispatcher, request } from 'undici'

/** The secret the platform verifies webhooks with: the deployment's, else the one `npm start` sets. */
export const webhookSecret = (env: Record<string, string | undefined> = process.env) =>
  env.PAYMENT_WEBHOOK_SECRET ?? DEV_PAYMENT_WEBHOOK_SECRET

/**
 * Whether the n-th accepted order (from 0) pays: it does when it carries the running share past a
 * whole order, so any prefix of the orders pays `ratio` of them, rounded down.
 */
export function paysNth(n: number, ratio: number): boolean {
  return Math.floor((n + 1) * ratio + 1e-9) > Math.floor(n * ratio + 1e-9)
}

export interface PayerStats {
  /** Orders accepted (202) during the load: each decided once. */
  accepted: number
  /** Orders the tool chose to pay. */
  chosen: number
  /** Webhook answers by outcome (`applied`, `refund_due` …, `status.NNN` for a refusal). */
  outcomes: Record<string, number>
  /** Chosen orders that never waited for a payment while the payer looked (failed, or already lapsed). */
  missed: number
  /** Deliveries that got no 2xx before the order's pay_by (each retried until then). */
  undelivered: number
}

export interface Payer {
  stats: PayerStats
  /** An order the load got a 202 for, and the token of the buyer who placed it. */
  accepted(orderUuid: string, token: string): void
  /** Waits (at most `timeoutMs`) for the chosen orders to be paid or given up, then stops. */
  stop(timeoutMs?: number): Promise<PayerStats>
}

/** How often a chosen order is read until it waits for its payment. */
const FOLLOW_MS = 200

export function startPayer(opts: {
  client: ApiClient
  /** The API base: the webhook is `POST {url}/api/payments/webhook`, through the same gateway/ALB. */
  url: string
  dispatcher?: Dispatcher | undefined
  ratio: number
  secret: string
}): Payer {
  const stats: PayerStats = { accepted: 0, chosen: 0, outcomes: {}, missed: 0, undelivered: 0 }
  const work = new Set<Promise<void>>()
  const stopped = new AbortController()
  const count = (key: string) => {
    stats.outcomes[key] = (stats.outcomes[key] ?? 0) + 1
  }

  const deliver = async (o: Order) => {
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
        // 4xx other than 429: refused for good (a provider would stop as well).
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

  /** Reads the order as its buyer until it waits for its payment (then pays) or ends otherwise. */
  const follow = async (orderUuid: string, token: string) => {
    for (;;) {
      const res = await opts.client.getOrder(token, orderUuid).catch(() => undefined)
      const status = res?.ok ? res.data.status : undefined
      if (res?.ok && status === 'awaiting_payment') return deliver(res.data)
      if (status !== undefined && status !== 'pending') {
        stats.missed++
        return
      }
      if (stopped.signal.aborted) {
        stats.missed++
        return
      }
      await sleep(FOLLOW_MS)
    }
  }

  return {
    stats,
    accepted(orderUuid, token) {
      if (!paysNth(stats.accepted++, opts.ratio)) return
      stats.chosen++
      const w = follow(orderUuid, token).finally(() => work.delete(w))
      work.add(w)
    },
    async stop(timeoutMs = 60_000) {
      const all = Promise.all(work)
      const done = new AbortController()
      const timer = sleep(timeoutMs, undefined, { signal: done.signal }).then(
        () => stopped.abort(),
        () => {},
      )
      await Promise.race([all, timer])
      done.abort()
      stopped.abort()
      await all
      return stats
    },
  }
}
