// flash-sale: one hot product, --buyers buyers hammering it; its --stock units go on sale by a schedule
// (`sale_starts_at`) --open-after seconds into the load, so every connection is open and being refused
// (`sale_not_started`) when the sale opens and the sell-out time measures the sale, not the TCP
// handshakes. (--open-by restock: an admin restock of a product at stock 0 opens it instead, for a
// design without schedules such as the bench's naive reference server.) The load lasts --duration,
// and with --sale-max past it until sold out. Then the queue drains
// and the audit judges the sale from what the buyers and the product page say. With --pay RATIO a
// payer pays that share of the orders waiting for payment (signed webhook) while the rest lapse, the
// load goes on buying the units that come back, the drain waits for every window to close, and the
// audit adds the lifecycle's checks (every unit paid or back on sale, each returned once, resold).
import { ApiClient } from '@flash/api-client'
import { waitForTerminal } from '../audit/drain.ts'
import { stockState, serviceToken } from '../audit/internal.ts'
import { internalAudit } from '../audit/internal.ts'
import { judgeSale } from '../audit/judge.ts'
import { judgeLifecycle, lifecycleOf } from '../audit/lifecycle.ts'
import { startPayer, webhookSecret, type Payer } from '../engine/payer.ts'
import { totalOf } from '../audit/orders.ts'
import { audit } from '../audit/types.ts'
import { cliOrderLoad } from './orders-load.ts'
import { saleOpening, soldOutProduct } from './products.ts'
import { runSale } from './sale.ts'
import { warmUp } from './warm-up.ts'
import { adminAndBuyers } from './set-up.ts'
import type { ScenarioContext, ScenarioOutcome } from './types.ts'

export async function flashSale(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const { options, client, progress } = ctx
  const notes: string[] = []
  const { admin, buyers, stats } = await adminAndBuyers(ctx)
  // Warmed up on a product of its own with nothing to sell: the sale's stock is left untouched.
  if (options.warmupS > 0)
    await warmUp(ctx, cliOrderLoad(ctx, buyers, (await soldOutProduct(admin, 'load warm-up')).id))
  const { product, opensAtMs, open, how } = await saleOpening(
    admin,
    'load flash-sale',
    options.stock,
    { openAfterS: options.openAfterS, by: options.openBy },
    { paymentWindowS: options.paymentWindowS },
  )
  // A design keeping its own stock (--stock-url) is not inventory-service's to audit.
  const ownStock = options.stockUrl === options.url
  progress.say(
    `product ${product.id}: ${options.stock} units, ${how}` +
      (options.paymentWindowS === undefined ? '' : `, payment window ${options.paymentWindowS} s`),
  )
  const paying = options.pay !== undefined
  const tokens = buyers.map((b) => b.accessToken)
  const payer: Payer | undefined = paying
    ? startPayer({ client, url: options.url, ratio: options.pay ?? 0, secret: webhookSecret() })
    : undefined
  // Orders still pending, from the internal stock-state when this machine can reach it (live only).
  const token = ownStock ? (options.serviceToken ?? (await serviceToken())) : undefined
  let pending: number | undefined
  const poll = setInterval(() => {
    if (!token) return
    stockState(options.inventoryUrl, token, product.id).then(
      (s) => {
        pending = s.mysql.pending_qty
      },
      () => {},
    )
  }, 1000)
  let live: { stop(): void } | undefined
  let sold = 0
  const sale = await runSale({
    load: {
      ...cliOrderLoad(ctx, buyers, product.id, payer?.accepted),
      onStart: (r) => {
        live = progress.live(
          options.durationS,
          () => r.live(),
          () =>
            `sold ${sold}/${options.stock}${pending === undefined ? '' : ` · pending ${pending}`}` +
            (payer ? ` · paid ${payer.stats.outcomes.applied ?? 0} of ${payer.stats.chosen} to pay` : ''),
        )
      },
      onResponse: (status) => {
        if (status >= 200 && status < 300) sold++
      },
    },
    units: options.stock,
    maxS: options.saleMaxS,
    openAfterS: options.openAfterS,
    open,
    opensAtMs,
  }).finally(() => {
    live?.stop()
    clearInterval(poll)
  })
  if (opensAtMs !== undefined)
    notes.push(
      `the scheduled sale opened ${Math.round(sale.openedAtMs - sale.run.startedAtMs)} ms into the load (by this machine's clock)`,
    )
  if (sale.openTookMs !== undefined)
    notes.push(`the restock that opened the sale took ${Math.round(sale.openTookMs)} ms`)
  if (!sale.soldOut)
    notes.push(
      `did not sell out within the run (${sale.accepted} of ${options.stock} units): no sell-out time; a longer --sale-max measures one`,
    )
  const { run, soldOut } = sale
  // Wall-clock ends of the load, to place the orders' updated_at (the platform's clock) in it.
  const wall = (perfMs: number) => Date.now() - performance.now() + perfMs
  const loadStartMs = wall(run.startedAtMs)
  const loadEndMs = wall(run.endedAtMs)
  // With a known window the drain waits for it to close (and the expiry pass to return the units).
  const drainTimeoutS =
    paying && options.paymentWindowS !== undefined
      ? Math.max(options.drainTimeoutS, options.paymentWindowS + 30)
      : options.drainTimeoutS
  const drain = await waitForTerminal({
    client,
    tokens,
    productIds: [product.id],
    accepted: sale.accepted,
    timeoutMs: drainTimeoutS * 1000,
    progress,
    signal: ctx.signal,
    untilPaymentSettled: paying,
  }).finally(async () => {
    await payer?.stop()
  })
  const orders = totalOf(drain.counts)
  const stockClient = ownStock ? client : new ApiClient({ baseUrl: options.stockUrl, timeoutMs: 30_000 })
  const page = await stockClient.getProduct(product.id)
  const available = page.ok ? page.data.stock : undefined
  const lifecycle = paying
    ? lifecycleOf(drain.orders, { supplied: options.stock, loadStartMs, loadEndMs })
    : undefined
  const saleChecks = judgeSale({
    supplied: options.stock,
    accepted: sale.accepted,
    // Every stop of the runner (one per step with --stages) left up to a request per connection unread.
    inFlightAtStop: options.connections * run.stops,
    orders,
    available,
    soldOut,
  })
  // With a payment window the units that lapsed are back on sale at the end: "every unit sold" is the
  // lifecycle's (every unit bought at least once), not the sale's.
  const checks = lifecycle
    ? [
        ...saleChecks.filter((c) => c.id !== 'I6-sold'),
        ...judgeLifecycle(lifecycle, { supplied: options.stock, available, soldOut }),
      ]
    : saleChecks
  if (payer) {
    const p = payer.stats
    const outcomes = Object.entries(p.outcomes).map(([k, n]) => `${k}×${n}`)
    notes.push(
      `payer: of ${p.accepted} orders accepted, ${p.chosen} chosen to pay through the signed webhook ` +
        `(${outcomes.join(' ') || 'no answer'}); ${p.missed} never seen waiting for their payment, ` +
        `${p.undelivered} not delivered before their pay_by`,
    )
  }
  if (paying && options.paymentWindowS === undefined)
    notes.push(
      "the payment window is the deployment's: the drain waited at most --drain-timeout for it to close",
    )
  return {
    run: run.stats,
    metrics: {
      accepted: sale.accepted,
      sellout_ms: sale.sellOutMs,
      accepted_per_s: sale.acceptedPerS,
      drain_ms: drain.drained ? drain.ms : null,
      failed: orders.failed,
      pending: orders.pending,
      completed_units: orders.completedUnits,
      ...(lifecycle
        ? {
            paid: lifecycle.paid,
            expired: lifecycle.expired,
            cancelled: lifecycle.cancelled,
            resold: lifecycle.resold,
            returned_while_open: lifecycle.returnedWhileOpen,
            payments_applied: payer?.stats.outcomes.applied ?? 0,
            pay_chosen: payer?.stats.chosen ?? 0,
            // Payments that came after their order's pay_by: recorded to be refunded, never a sale.
            refund_due: payer?.stats.outcomes.refund_due ?? 0,
          }
        : {}),
    },
    audit: audit(
      checks,
      ownStock ? await internalAudit(options.inventoryUrl, [product.id], options.serviceToken) : undefined,
    ),
    setup: {
      product_id: product.id,
      supplied: options.stock,
      open_after_s: options.openAfterS,
      open_by: options.openBy,
      ...(paying ? { pay: options.pay, payment_window_s: product.payment_window_seconds } : {}),
    },
    lifecycle: lifecycle?.series,
    buyers: stats,
    notes,
  }
}
