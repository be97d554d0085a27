import { randomUUID } from 'node:crypto'
import { PAYMENT_SIGNATURE_HEADER } from '@flash/contracts'
// The signing code `npm run pay` uses, from the package it lives in: the rows sign exactly as it does.
import { signatureHeader } from '@flash/order-service/payments/signature'
import { Agent, request } from 'undici'
import type { FaultStack } from './fault-stack.ts'
import type { Buyer } from './sale.ts'
import { sleep } from './scenario.ts'

/** The webhook secret the payment rows' stack runs with (order-service's PAYMENT_WEBHOOK_SECRET). */
export const FAULT_WEBHOOK_SECRET = 'fault-matrix-webhook-secret'
/** The event type that means "paid" (the local provider's, as `npm run pay` sends it). */
const PAYMENT_SUCCEEDED = 'payment_intent.succeeded'
/** Every order of the sale: price 1 000 cents × 1 unit (run-scenario.ts creates the product). */
const ORDER_TOTAL_CENTS = 1_000

/** What the buyers of a payment row do with their accepted orders, once the finalizer committed them. */
export interface PaymentPlan {
  /** Share of accepted orders paid through the signed webhook. */
  pay: number
  /** Share cancelled by their owner (the rest lets the window lapse). */
  cancel: number
  /**
   * When a payer pays: `random` somewhere inside the window (before pay_by, most of it), `at-pay-by` at
   * the very millisecond the order's `pay_by` names (racing the expiry pass).
   */
  payTiming: 'random' | 'at-pay-by'
  /** Deliveries of each payment event at once (a provider's duplicate storm); 1: one. */
  copies: number
  /** Each event delivered again (freshly signed, same event id) this long after it was answered; 0: not. */
  replayAfterMs: number
  /** Share of the buyers who let their order lapse that pay after it expired (a late payment). */
  latePay: number
  /** A canceller whose cancel was answered 200 sends this many more at once (a repeat changes nothing). */
  cancelRepeats: number
  /** A payer's provider also charges a second time (another event id) once the first was answered. */
  secondCharge: boolean
  /** Cancels start at once after the 202 (order still `pending`) and are retried quickly, racing the finalizer. */
  cancelEarly: boolean
}

export const DEFAULT_PAYMENTS: PaymentPlan = {
  pay: 0.5,
  cancel: 0.15,
  payTiming: 'random',
  copies: 1,
  replayAfterMs: 0,
  latePay: 0,
  cancelRepeats: 0,
  secondCharge: false,
  cancelEarly: false,
}

/** One accepted order's life after the 202, as its buyer and the provider saw it. */
export interface LifecycleLog {
  orderUuid: string
  action: 'pay' | 'cancel' | 'lapse'
  /** The order's status when the buyer first saw it past `pending` (or the last seen, if never). */
  firstSettled: string
  /** Webhook deliveries: event id → answers (`200 applied`, `200 refund_due dup`, `503`, `ECONNRESET` …). */
  events: Map<string, string[]>
  /** Answers to the buyer's cancel requests, in order. */
  cancels: string[]
}

/** What the rows counted while the buyers acted (for the notes and the audit). */
export class LifecycleProgress {
  paymentsSent = 0
  cancelsSent = 0
  readonly logs: LifecycleLog[] = []
  readonly #work: Promise<void>[] = []

  track(work: Promise<void>): void {
    this.#work.push(work)
  }

  /** Resolves once every buyer's lifecycle actions are done (each is bounded in time). */
  async done(): Promise<void> {
    await Promise.allSettled(this.#work)
  }
}

type Answer = { status: number; body: Record<string, unknown> }

/**
 * Plays every accepted order's buyer after its 202: waits until the finalizer has decided (polling the
 * order as a shop page would), then pays through the signed webhook, cancels, or lets the window lapse.
 */
export class PaymentActors {
  readonly #fs: FaultStack
  readonly #plan: PaymentPlan
  readonly #random: () => number
  readonly #progress: LifecycleProgress
  readonly #agent = new Agent({ connections: 64, keepAliveTimeout: 10_000, connect: { timeout: 2_000 } })

  constructor(fs: FaultStack, plan: PaymentPlan, random: () => number, progress: LifecycleProgress) {
    this.#fs = fs
    this.#plan = plan
    this.#random = random
    this.#progress = progress
  }

  /** Starts the buyer's actions for one accepted order (tracked by the progress, never awaited here). */
  accepted(buyer: Buyer, orderUuid: string): void {
    const roll = this.#random()
    const action =
      roll < this.#plan.pay ? 'pay' : roll < this.#plan.pay + this.#plan.cancel ? 'cancel' : 'lapse'
    const late = action === 'lapse' && this.#random() < this.#plan.latePay
    const log: LifecycleLog = { orderUuid, action, firstSettled: 'pending', events: new Map(), cancels: [] }
    this.#progress.logs.push(log)
    this.#progress.track(this.#act(buyer, log, late).catch(() => {}))
  }

  async close(): Promise<void> {
    await this.#agent.close()
  }

  async #act(buyer: Buyer, log: LifecycleLog, late: boolean): Promise<void> {
    if (log.action === 'cancel' && this.#plan.cancelEarly) {
      // Racing the finalizer: the order is still pending (409, Retry-After), asked again every few ms.
      await this.#cancel(buyer, log, { early: true })
      return
    }
    const order = await this.#settled(buyer, log)
    if (order?.status !== 'awaiting_payment') return
    const payBy = Date.parse(String(order.pay_by))
    if (log.action === 'cancel') {
      await sleep(this.#random() * Math.max(0, payBy - Date.now()) * 0.8)
      await this.#cancel(buyer, log, { early: false })
    } else if (log.action === 'pay') {
      // Around pay_by (250 ms before to 50 ms after: on a loaded machine a delivery takes 10–300 ms to
      // reach MySQL): some land
      // just before it (applied), some just after (late), as the
      // expiry pass (every 100 ms on two finalizers) takes the same rows.
      if (this.#plan.payTiming === 'at-pay-by')
        await sleep(Math.max(0, payBy - Date.now() - 250 + this.#random() * 300))
      else await sleep(this.#random() * Math.max(0, payBy - Date.now()) * 0.6)
      await this.#pay(log)
      if (this.#plan.secondCharge) await this.#pay(log)
    } else if (late) {
      // After the expiry: the provider reports a payment the order can no longer take.
      await sleep(Math.max(0, payBy - Date.now()) + 1_500)
      await this.#pay(log)
    }
  }

  /** Polls the order (its owner's token) until the finalizer decided; bounded. */
  async #settled(buyer: Buyer, log: LifecycleLog): Promise<Record<string, unknown> | undefined> {
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      const res = await this.#call('GET', `/api/orders/${log.orderUuid}`, { token: buyer.token }).catch(
        () => undefined,
      )
      if (res?.status === 200 && res.body.status !== 'pending') {
        log.firstSettled = String(res.body.status)
        return res.body
      }
      await sleep(100)
    }
    return undefined
  }

  /** The buyer's cancel, retried on "not yet" (409 pending, 503) and on no answer, bounded. */
  async #cancel(buyer: Buyer, log: LifecycleLog, { early }: { early: boolean }): Promise<void> {
    const deadline = Date.now() + 20_000
    for (let attempt = 0; attempt < 400 && Date.now() < deadline; attempt++) {
      this.#progress.cancelsSent++
      let again = false
      let waitMs = 200
      try {
        const res = await this.#call('POST', `/api/orders/${log.orderUuid}/cancel`, { token: buyer.token })
        const code = typeof res.body.code === 'string' ? ` ${res.body.code}` : ''
        log.cancels.push(`${res.status}${code}`)
        // Still pending: the finalizer has not decided yet. An early canceller asks again at once.
        again = res.status === 503 || res.status === 502 || (res.status === 409 && res.headers.retryAfter)
        if (early) waitMs = 25 + this.#random() * 50
      } catch (error) {
        log.cancels.push((error as NodeJS.ErrnoException).code ?? 'error')
        again = true
      }
      if (!again) {
        if (log.cancels.at(-1) === '200' && this.#plan.cancelRepeats > 0) {
          await Promise.all(
            Array.from({ length: this.#plan.cancelRepeats }, () =>
              this.#call('POST', `/api/orders/${log.orderUuid}/cancel`, { token: buyer.token }).then(
                (res) => log.cancels.push(`${res.status} repeat`),
                (error: NodeJS.ErrnoException) => log.cancels.push(`${error.code ?? 'error'} repeat`),
              ),
            ),
          )
        }
        return
      }
      await sleep(waitMs)
    }
  }

  /**
   * One payment event (one event id), delivered as a provider does: signed with the webhook secret over
   * the timestamp and the raw body, retried with the same event id until a 2xx (bounded); `copies`
   * deliveries at once; optionally replayed later (freshly signed, same id).
   */
  async #pay(log: LifecycleLog): Promise<void> {
    const eventId = `evt_${randomUUID()}`
    const body = JSON.stringify({
      id: eventId,
      type: PAYMENT_SUCCEEDED,
      data: { object: { order_uuid: log.orderUuid, amount_cents: ORDER_TOTAL_CENTS, currency: 'usd' } },
    })
    const answers: string[] = []
    log.events.set(eventId, answers)
    const deliverUntilOk = async () => {
      const deadline = Date.now() + 20_000
      for (let attempt = 0; attempt < 12 && Date.now() < deadline; attempt++) {
        this.#progress.paymentsSent++
        try {
          const res = await this.#call('POST', '/api/payments/webhook', {
            raw: body,
            headers: {
              [PAYMENT_SIGNATURE_HEADER]: signatureHeader(FAULT_WEBHOOK_SECRET, body, nowSeconds()),
            },
          })
          answers.push(
            res.status === 200
              ? `200 ${String(res.body.outcome)}${res.body.duplicate ? ' dup' : ''}`
              : `${res.status}${typeof res.body.code === 'string' ? ` ${res.body.code}` : ''}`,
          )
          if (res.status >= 200 && res.status < 300) return
          if (res.status < 500 && res.status !== 429) return
        } catch (error) {
          answers.push((error as NodeJS.ErrnoException).code ?? 'error')
        }
        await sleep(150 + this.#random() * 250)
      }
    }
    await Promise.all(Array.from({ length: this.#plan.copies }, deliverUntilOk))
    if (this.#plan.replayAfterMs > 0) {
      await sleep(this.#plan.replayAfterMs)
      await Promise.all(Array.from({ length: this.#plan.copies }, deliverUntilOk))
    }
  }

  async #call(
    method: 'GET' | 'POST',
    path: string,
    opts: { token?: string; raw?: string; headers?: Record<string, string> },
  ): Promise<Answer & { headers: { retryAfter: boolean } }> {
    const headers: Record<string, string> = { ...opts.headers }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`
    if (opts.raw !== undefined) headers['content-type'] = 'application/json'
    const res = await request(`${this.#fs.stack.gatewayUrl}${path}`, {
      method,
      headers,
      body: opts.raw,
      dispatcher: this.#agent,
      headersTimeout: 3_000,
      bodyTimeout: 3_000,
    })
    const text = await res.body.text()
    let body: Record<string, unknown> = {}
    try {
      body = JSON.parse(text) as Record<string, unknown>
    } catch {
      // A gateway's plain 502 page: the status says enough.
    }
    return { status: res.statusCode, body, headers: { retryAfter: res.headers['retry-after'] !== undefined } }
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000)
