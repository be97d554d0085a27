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
  }: {
    timeoutMs: number
    intervalMs?: number
    /** Unparseable messages the scenario sent: by design they stay in the DLQ for a person. */
    dlqResidue?: number
  },
): Promise<Convergence> {
  const sqs = directSqs(fs.sqsEndpoint)
  const from = Date.now()
  let firstQuiet: number | undefined
  let lastReason = 'not checked'
  try {
    for (let i = 0; Date.now() - from < timeoutMs && i < 100_000; i++) {
      lastReason = await notQuietBecause(fs, sqs, productId, dlqResidue).catch(
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
  const state = await readStockState(fs, productId)
  if (state.redis.reservations > 0) return `${state.redis.reservations} live reservation(s)`
  const leaked = leakedUnits(state)
  if (leaked > 0) {
    return `Redis available ${state.redis.available} ≠ stock ${state.mysql.stock} − pending ${state.mysql.pending_qty}`
  }
  return ''
}
