// flash-sale: one hot product, --buyers buyers hammering it; its --stock units go on sale by a schedule
// (`sale_starts_at`) --open-after seconds into the load, so every connection is open and being refused
// (`sale_not_started`) when the sale opens and the sell-out time measures the sale, not the TCP
// handshakes. Then the queue drains
// and the audit judges the sale from what the buyers and the product page say.
import { loginAdmin } from '../engine/admin.ts'
import { waitForTerminal } from '../audit/drain.ts'
import { stockState, serviceToken } from '../audit/internal.ts'
import { internalAudit } from '../audit/internal.ts'
import { judgeSale } from '../audit/judge.ts'
import { totalOf } from '../audit/orders.ts'
import { audit } from '../audit/types.ts'
import { obtainBuyers } from '../engine/buyers.ts'
import { cliOrderLoad } from './orders-load.ts'
import { saleProduct, scheduledSaleProduct } from './products.ts'
import { runSale } from './sale.ts'
import type { ScenarioContext, ScenarioOutcome } from './types.ts'

export async function flashSale(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const { options, client, progress } = ctx
  const notes: string[] = []
  const admin = await loginAdmin(client, options.adminEmail, options.adminPassword)
  const { buyers, stats } = await obtainBuyers({
    client,
    url: options.url,
    count: options.buyers,
    file: options.buyersFile,
    progress,
    signal: ctx.signal,
  })
  const opening = options.openAfterS > 0
  const scheduled = opening
    ? await scheduledSaleProduct(admin, 'load flash-sale', options.stock, options.openAfterS)
    : undefined
  const product = scheduled?.product ?? (await saleProduct(admin, 'load flash-sale', options.stock))
  progress.say(
    `product ${product.id}: ${options.stock} units${scheduled ? `, sale scheduled at ${product.sale_starts_at} (${options.openAfterS} s into the load)` : ''}`,
  )
  // Orders still pending, from the internal stock-state when this machine can reach it (live only).
  const token = await serviceToken()
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
      ...cliOrderLoad(ctx, buyers, product.id),
      onStart: (r) => {
        live = progress.live(
          options.durationS,
          () => r.live(),
          () => `sold ${sold}/${options.stock}${pending === undefined ? '' : ` · pending ${pending}`}`,
        )
      },
      onResponse: (status) => {
        if (status >= 200 && status < 300) sold++
      },
    },
    units: options.stock,
    // The load tool's sale lasts --duration exactly (the bench's may run on until sold out).
    maxS: options.durationS,
    openAfterS: options.openAfterS,
    opensAtMs: scheduled?.opensAtMs,
  }).finally(() => {
    live?.stop()
    clearInterval(poll)
  })
  if (scheduled)
    notes.push(
      `the scheduled sale opened ${Math.round(sale.openedAtMs - sale.run.startedAtMs)} ms into the load (by this machine's clock)`,
    )
  const { run, soldOut } = sale
  const drain = await waitForTerminal({
    client,
    tokens: buyers.map((b) => b.accessToken),
    productIds: [product.id],
    accepted: sale.accepted,
    timeoutMs: options.drainTimeoutS * 1000,
    progress,
    signal: ctx.signal,
  })
  const orders = totalOf(drain.counts)
  const page = await client.getProduct(product.id)
  const checks = judgeSale({
    supplied: options.stock,
    accepted: sale.accepted,
    // Every stop of the runner (one per step with --stages) left up to a request per connection unread.
    inFlightAtStop: options.connections * run.stops,
    orders,
    available: page.ok ? page.data.stock : undefined,
    soldOut,
  })
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
    },
    audit: audit(checks, await internalAudit(options.inventoryUrl, [product.id])),
    setup: { product_id: product.id, supplied: options.stock, open_after_s: options.openAfterS },
    buyers: stats,
    notes,
  }
}
