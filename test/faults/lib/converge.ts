import { directSqs, queueDepth } from './queues.ts'
import type { FaultStack } from './fault-stack.ts'
import { leakedUnits, readStockState } from './stock-state.ts'

export interface Convergence {
  converged: boolean
  /** From the end of the fault and the sale to the first of two quiet checks in a row. */
  seconds: number
  /** Why the last check was not quiet (for the report when it never converged). */
  lastReason: string
}

/**
 * Waits, bounded, until the system is quiet: both queues empty (nothing visible, in flight or
 * delayed), no pending order of the product, no live reservation, and Redis agreeing with MySQL.
 * Quiet must hold on two checks in a row, because stock-state reads Redis and MySQL one after the
 * other and could agree by accident while something moves.
 */
export async function waitForQuiet(
  fs: FaultStack,
  productId: number,
  {
    timeoutMs,
    intervalMs = 250,
    dlqResidue = 0,
    lifecycle = false,
  }: {
    timeoutMs: number
    intervalMs?: number
    /** Unparseable messages the scenario sent: by design they stay in the DLQ for a person. */
    dlqResidue?: number
    /** A payment row: also no order still awaiting payment and no return owed to Redis. */
    lifecycle?: boolean
  },
): Promise<Convergence> {
  const sqs = directSqs(fs.sqsEndpoint)
  const from = Date.now()
  let firstQuiet: number | undefined
  let lastReason = 'not checked'
  try {
    for (let i = 0; Date.now() - from < timeoutMs && i < 100_000; i++) {
      lastReason = await notQuietBecause(fs, sqs, productId, dlqResidue, lifecycle).catch(
        (e: Error) => `check failed: ${e.message}`,
      )
      if (lastReason === '') {
        if (firstQuiet !== undefined) {
          return { converged: true, seconds: (firstQuiet - from) / 1000, lastReason }
        }
        firstQuiet = Date.now()
      } else {
        firstQuiet = undefined
      }
      await new Promise((r) => setTimeout(r, intervalMs))
    }
    return { converged: false, seconds: (Date.now() - from) / 1000, lastReason }
  } finally {
    sqs.destroy()
  }
}

async function notQuietBecause(
  fs: FaultStack,
  sqs: ReturnType<typeof directSqs>,
  productId: number,
  dlqResidue: number,
  lifecycle: boolean,
): Promise<string> {
  const depth = await queueDepth(sqs, fs.queueName)
  if (depth > 0) return `${depth} message(s) in the orders queue`
  const dlq = await queueDepth(sqs, fs.dlqName)
  if (dlq > dlqResidue) return `${dlq} message(s) in the DLQ (${dlqResidue} poison kept by design)`
  const pending = await fs.db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('product_id', '=', productId)
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow()
  if (Number(pending.n) > 0) return `${pending.n} order(s) still pending`
  if (lifecycle) {
    const open = await fs.db
      .selectFrom('orders')
      .select((eb) => [
        eb.fn
          .sum<number>(eb.case().when('status', '=', 'awaiting_payment').then(1).else(0).end())
          .as('awaiting'),
        eb.fn
          .sum<number>(
            eb
              .case()
              .when(
                eb.and([eb('status', 'in', ['expired', 'cancelled']), eb('units_returned_at', 'is', null)]),
              )
              .then(1)
              .else(0)
              .end(),
          )
          .as('owed'),
      ])
      .where('product_id', '=', productId)
      .executeTakeFirstOrThrow()
    if (Number(open.awaiting) > 0) return `${open.awaiting} order(s) still awaiting payment`
    if (Number(open.owed) > 0) return `${open.owed} return(s) owed to Redis`
  }
  const state = await readStockState(fs, productId)
  if (state.redis.reservations > 0) return `${state.redis.reservations} live reservation(s)`
  const leaked = leakedUnits(state)
  if (leaked > 0) {
    return `Redis available ${state.redis.available} ≠ stock ${state.mysql.stock} − pending ${state.mysql.pending_qty}`
  }
  return ''
}
