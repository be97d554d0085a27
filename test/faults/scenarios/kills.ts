import type { ServiceName } from '@flash/routes'
import type { TcpProxy } from '@flash/test-kit'
import type { FaultContext, Scenario } from '../lib/scenario.ts'
import { sleep } from '../lib/scenario.ts'
import { readStockState } from '../lib/stock-state.ts'

const KILLS = 3
/**
 * A longer sale than the default: a restarted instance takes seconds to be ready (more on a busy
 * machine), and every kill should still land while orders are being accepted.
 */
const LONG_SALE = { buyers: 400, stock: 340, spreadMs: 14_000 }

/** Kills one instance and waits until the orchestrator has it back (so there is one fault at a time). */
async function killAndRestart(ctx: FaultContext, service: ServiceName, k: number) {
  const instances = ctx.fs.instances(service)
  const victim = instances[k % instances.length]!
  ctx.note(`SIGKILL ${victim.label} at ${ctx.elapsed()} (${ctx.progress.accepted} accepted so far)`)
  await ctx.fs.orchestrator.kill(victim)
  await ctx.fs.orchestrator.settled()
}

/** SIGKILL at random moments under load: some land inside whatever the service was doing. */
export function killAtRandom(service: ServiceName): Scenario {
  return {
    id: `kill-${service}`,
    fault: `SIGKILL ${service} ×${KILLS}, random points`,
    plan: LONG_SALE,
    async inject(ctx) {
      for (let k = 0; k < KILLS; k++) {
        await sleep(200 + ctx.random() * 1_000)
        await killAndRestart(ctx, service, k)
      }
    },
  }
}

/**
 * SIGKILL at a chosen step: `hold` stalls the link the service needs for its next step, so every
 * request in flight piles up right before it; the kill then lands exactly between the two steps.
 */
function killWhileHeld(opts: {
  id: string
  fault: string
  service: ServiceName
  hold: (ctx: FaultContext) => TcpProxy
  /** Kill every instance of the service while held (a message may be with either finalizer). */
  all?: boolean
}): Scenario {
  return {
    id: opts.id,
    fault: opts.fault,
    plan: LONG_SALE,
    async inject(ctx) {
      for (let round = 0; round < 2; round++) {
        await ctx.progress.acceptedAtLeast(30 + round * 120, 8_000)
        const link = opts.hold(ctx)
        link.stall()
        await sleep(600 + ctx.random() * 400)
        const victims = opts.all
          ? ctx.fs.instances(opts.service)
          : [ctx.fs.instances(opts.service)[round % 2]!]
        // Evidence that the kill lands in the window: live reservations beyond pending units belong
        // to intakes without a row yet, or to orders MySQL has already completed.
        const state = await readStockState(ctx.fs, ctx.productId).catch(() => undefined)
        const seen = state
          ? `${state.redis.reservations} live reservation(s), ${state.mysql.pending_qty} pending unit(s), ${state.mysql.completed_qty} completed`
          : 'stock-state unreadable'
        ctx.note(
          `held ${opts.service}'s next step, SIGKILL ${victims.map((v) => v.label).join(' + ')} at ${ctx.elapsed()} (${seen})`,
        )
        for (const victim of victims) await ctx.fs.orchestrator.kill(victim)
        link.resume()
        await ctx.fs.orchestrator.settled()
        await sleep(500)
      }
    },
  }
}

export const killScenarios: Scenario[] = [
  killAtRandom('order-service'),
  killWhileHeld({
    id: 'kill-order-after-reserve',
    fault: 'SIGKILL order-service after reserve, before INSERT',
    service: 'order-service',
    hold: (ctx) => ctx.fs.proxies.mysql.order,
  }),
  killWhileHeld({
    id: 'kill-order-before-send',
    fault: 'SIGKILL order-service after INSERT, before SQS send',
    service: 'order-service',
    hold: (ctx) => ctx.fs.proxies.sqs.order,
  }),
  killAtRandom('inventory-service'),
  killAtRandom('order-finalizer'),
  killWhileHeld({
    id: 'kill-finalizer-after-commit',
    fault: 'SIGKILL order-finalizer after MySQL commit, before reservation commit',
    service: 'order-finalizer',
    hold: (ctx) => ctx.fs.proxies.finalizerToInventory,
    all: true,
  }),
]
