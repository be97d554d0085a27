import { deleteKeysByPrefix, TEST_REDIS_URL } from '@flash/test-kit'
import { Redis } from 'ioredis'
import { sql } from 'kysely'
import { FAULT_WEBHOOK_SECRET } from '../lib/payments.ts'
import type { FaultContext, Scenario } from '../lib/scenario.ts'
import { sleep } from '../lib/scenario.ts'

// The payment window's faults (issue 17, I7 in docs/correctness.md): orders end `awaiting_payment` after
// the finalizer's commit, buyers pay a share through the signed webhook, cancel some, let the rest expire,
// and every unit that comes back must be on sale again exactly once, in MySQL and in Redis.

/** The window is short so that orders expire, and their units are bought again, while the sale runs. */
const WINDOW_SECONDS = 3
/**
 * One env for every payment row, so they share a stack: a short window, an expiry pass every 100 ms on
 * each of the two finalizers (so an expiry lands within ~50 ms of any pay_by), and the webhook's secret.
 */
const PAYMENT_ENV = {
  PAYMENT_WINDOW_SECONDS: String(WINDOW_SECONDS),
  EXPIRY_INTERVAL_MS: '100',
  PAYMENT_WEBHOOK_SECRET: FAULT_WEBHOOK_SECRET,
}
/** Longer than the default sale, so returned units meet buyers still arriving. */
const PAYMENT_SALE = { spreadMs: 9_000 }

/** Expired or cancelled orders of the product whose units are not confirmed back in Redis yet. */
async function returnsInFlight(
  ctx: FaultContext,
): Promise<{ ended: number; owed: number; expiredOwed: number; due: number }> {
  const row = await ctx.fs.db
    .selectFrom('orders')
    .select([
      sql<number>`sum(status in ('expired', 'cancelled'))`.as('ended'),
      sql<number>`sum(status in ('expired', 'cancelled') and units_returned_at is null)`.as('owed'),
      sql<number>`sum(status = 'expired' and units_returned_at is null)`.as('expired_owed'),
      sql<number>`sum(status = 'awaiting_payment' and pay_by <= current_timestamp(3))`.as('due'),
    ])
    .where('product_id', '=', ctx.productId)
    .executeTakeFirstOrThrow()
  return {
    ended: Number(row.ended ?? 0),
    owed: Number(row.owed ?? 0),
    expiredOwed: Number(row.expired_owed ?? 0),
    due: Number(row.due ?? 0),
  }
}

/** Waits (bounded) until at least `n` orders of the product have ended expired or cancelled. */
async function endedAtLeast(ctx: FaultContext, n: number, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { ended } = await returnsInFlight(ctx)
    if (ended >= n || Date.now() > deadline) return ended
    await sleep(50)
  }
}

const payment = (row: Omit<Scenario, 'env' | 'plan'>): Scenario => ({
  env: PAYMENT_ENV,
  plan: PAYMENT_SALE,
  ...row,
})

export const paymentScenarios: Scenario[] = [
  payment({
    id: 'pay-kill-expiry',
    fault: 'SIGKILL both expiry workers between the MySQL expiry and the Redis return ×2',
    payments: { pay: 0.3, cancel: 0.1 },
    async inject(ctx) {
      // The finalizers' link to inventory is held: their expiry passes commit `expired` (units back in
      // MySQL stock) and then wait on the Redis return; the kill lands between the two steps.
      for (let round = 0; round < 2; round++) {
        await endedAtLeast(ctx, round * 40)
        const link = ctx.fs.proxies.finalizerToInventory
        link.stall()
        // Until an expiry pass has committed and is waiting on its return (bounded: one window and a bit).
        const deadline = Date.now() + (WINDOW_SECONDS + 3) * 1_000
        // (A cancel's return goes from order-service straight to inventory: only expiries count here.)
        while ((await returnsInFlight(ctx)).expiredOwed === 0 && Date.now() < deadline) await sleep(50)
        await sleep(100 + ctx.random() * 300)
        const { ended, expiredOwed, due } = await returnsInFlight(ctx)
        const victims = ctx.fs.instances('order-finalizer')
        ctx.note(
          `round ${round + 1}: returns held, SIGKILL ${victims.map((v) => v.label).join(' + ')} at ${ctx.elapsed()} (${ended} ended, ${expiredOwed} expired in MySQL and not yet returned to Redis, ${due} due)`,
        )
        for (const victim of victims) await ctx.fs.orchestrator.kill(victim)
        link.resume()
        await ctx.fs.orchestrator.settled()
        await sleep(500)
      }
    },
  }),
  payment({
    id: 'pay-webhook-lost-reply',
    fault: "Webhook's MySQL reply lost after the statement ran ×12",
    payments: { pay: 0.7, cancel: 0.05 },
    async inject(ctx) {
      // order-service's MySQL link carries the webhook's transaction: its lock, its INSERT, its COMMIT.
      // Armed while payments flow; a lost COMMIT reply is a payment recorded but answered 503, and the
      // provider's retry (same event id) must find it a duplicate, never apply it twice.
      const deadline = Date.now() + 10_000
      while ((ctx.lifecycle?.paymentsSent ?? 0) < 5 && Date.now() < deadline) await sleep(50)
      const link = ctx.fs.proxies.mysql.order
      let lost = 0
      for (let i = 0; i < 12; i++) {
        const hit = await Promise.race([
          link.loseNextReply().then(() => true),
          sleep(2_000).then(() => false),
        ])
        if (hit) lost++
        await sleep(100 + ctx.random() * 300)
      }
      ctx.note(
        `${lost} of 12 armed replies lost on order-service's MySQL link, ${ctx.lifecycle?.paymentsSent ?? 0} webhook deliveries by then`,
      )
    },
  }),
  payment({
    id: 'pay-at-pay-by',
    fault: 'Payments sent at pay_by (−250…+50 ms), racing the expiry pass',
    payments: { pay: 0.6, cancel: 0, payTiming: 'at-pay-by' },
    async inject(ctx) {
      // The fault is the timing itself: every payer pays at its order's pay_by while two expiry workers
      // take due rows every 100 ms. Whichever takes the row lock first decides; the other changes nothing.
      await endedAtLeast(ctx, 20)
      ctx.note(`${ctx.lifecycle?.paymentsSent ?? 0} deliveries at pay_by so far at ${ctx.elapsed()}`)
    },
  }),
  payment({
    id: 'pay-cancel-pending',
    fault: 'Cancels while the order is still pending (and repeated after), racing the finalizer',
    payments: { pay: 0.2, cancel: 0.5, cancelEarly: true, cancelRepeats: 3 },
    async inject(ctx) {
      // Cancellers ask from the moment of the 202, every few ms, while the finalizer commits their order.
      await endedAtLeast(ctx, 20)
      ctx.note(`${ctx.lifecycle?.cancelsSent ?? 0} cancel requests so far at ${ctx.elapsed()}`)
    },
  }),
  payment({
    id: 'pay-webhook-storm',
    fault: 'Duplicate webhook storm: every event ×6 at once, replayed, charged twice, late payments',
    payments: { pay: 0.6, cancel: 0.1, copies: 6, replayAfterMs: 1_000, secondCharge: true, latePay: 0.5 },
    async inject(ctx) {
      await endedAtLeast(ctx, 20)
      ctx.note(`${ctx.lifecycle?.paymentsSent ?? 0} webhook deliveries so far at ${ctx.elapsed()}`)
    },
  }),
  payment({
    id: 'pay-redis-loss-returns',
    fault: "Redis data loss (every key of the stack's prefix) while units are returned ×2",
    payments: { pay: 0.3, cancel: 0.2 },
    async inject(ctx) {
      const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true })
      try {
        for (let round = 0; round < 2; round++) {
          // Once expiries are flowing: returns land before, during and after the loss and the rebuild.
          const ended = await endedAtLeast(ctx, 5 + round * 40)
          const deleted = await deleteKeysByPrefix(redis, ctx.fs.prefix)
          ctx.note(`round ${round + 1}: deleted ${deleted} keys at ${ctx.elapsed()} (${ended} orders ended)`)
          await sleep(1_000 + ctx.random() * 1_000)
        }
      } finally {
        redis.disconnect()
      }
    },
  }),
]
