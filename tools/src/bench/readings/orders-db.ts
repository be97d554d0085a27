// What only the harness reads from MySQL: the counts of the orders a run placed (every order newer than
// the run), sampled while the finalizer works, and the wait (bounded) until they are all terminal.
import type { Database } from '@flash/db'
import type { Kysely } from 'kysely'
import type { CountSample } from './finalizer-rate.ts'

export interface OrderCounts {
  pending: number
  /** Committed by the finalizer: completed, or with a payment window awaiting/paid/expired/cancelled. */
  completed: number
  failed: number
}

/** With PAYMENT_WINDOW_SECONDS > 0 the finalizer's commit leaves an order awaiting its payment. */
const COMMITTED = new Set(['completed', 'awaiting_payment', 'paid', 'expired', 'cancelled'])

/** The newest order's id: a run's orders are the ones after it. */
export async function lastOrderId(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('orders')
    .select((eb) => eb.fn.max<number>('id').as('id'))
    .executeTakeFirst()
  return Number(row?.id ?? 0)
}

export async function orderCounts(db: Kysely<Database>, afterId: number): Promise<OrderCounts> {
  const rows = await db
    .selectFrom('orders')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .where('id', '>', afterId)
    .groupBy('status')
    .execute()
  const counts: OrderCounts = { pending: 0, completed: 0, failed: 0 }
  for (const r of rows) {
    if (r.status === 'pending' || r.status === 'failed') counts[r.status] = Number(r.n)
    if (COMMITTED.has(r.status)) counts.completed += Number(r.n)
  }
  return counts
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** How often the order counts are sampled: the resolution of commit rates and drain times. */
export const COUNT_SAMPLE_MS = 250

/** Samples the counts of the orders after `afterId` every `intervalMs` until stopped (one query at a time). */
export function sampleCounts(db: Kysely<Database>, afterId: number, intervalMs = COUNT_SAMPLE_MS) {
  const samples: CountSample[] = []
  let running = true
  let lastError: string | undefined
  const loop = (async () => {
    while (running) {
      const at = performance.now()
      try {
        const c = await orderCounts(db, afterId)
        samples.push({ atMs: at, completed: c.completed, failed: c.failed, pending: c.pending })
      } catch (error) {
        lastError = (error as Error).message
      }
      await sleep(Math.max(0, intervalMs - (performance.now() - at)))
    }
  })()
  return {
    samples,
    latest: () => samples.at(-1),
    error: () => lastError,
    async stop() {
      running = false
      await loop
    },
  }
}

/**
 * Waits until `expected` orders of the run are terminal and none is pending, polling the sampler's
 * latest numbers; false after `timeoutMs` or on abort.
 */
export async function waitForDrain(
  latest: () => CountSample | undefined,
  expected: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline && !signal?.aborted) {
    const s = latest()
    if (s && s.pending === 0 && s.completed + s.failed >= expected) return true
    await sleep(250)
  }
  const s = latest()
  return !!s && s.pending === 0 && s.completed + s.failed >= expected
}
