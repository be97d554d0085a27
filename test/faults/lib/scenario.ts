import type { Env } from '@flash/tools'
import type { FaultStack } from './fault-stack.ts'
import type { LifecycleProgress, PaymentPlan } from './payments.ts'
import type { SalePlan, SaleProgress } from './sale.ts'

/** What a fault sees while the sale runs. */
export interface FaultContext {
  fs: FaultStack
  progress: SaleProgress
  productId: number
  /** Seeded: the same seed replays the same timings (as far as the scheduler allows). */
  random: () => number
  /** A line for the report (when the fault struck, how much was in flight). */
  note(line: string): void
  /** Seconds since the sale started, for notes. */
  elapsed(): string
  /** A payment row: what its buyers did with their orders so far (payments, cancels). */
  lifecycle: LifecycleProgress | undefined
  /** Unparseable messages sent: they stay in the DLQ by design and do not block convergence. */
  expectDlqResidue(n: number): void
}

export interface Scenario {
  /** Short name for FAULTS=… selection. */
  id: string
  /** The row's label in the table. */
  fault: string
  /** Extra environment for every service of this scenario's stack. */
  env?: Env
  plan?: Partial<SalePlan>
  /**
   * A payment row (the stack runs with a payment window): buyers pay a share of their accepted orders
   * through the signed webhook, cancel some, let the rest expire; the audit adds the I7 checks.
   */
  payments?: Partial<PaymentPlan>
  /**
   * Every request must get an HTTP answer within the client's timeout (a fault the API promises to
   * answer through, e.g. with 503 + Retry-After): the row then requires `unanswered` to be 0.
   */
  requireAnswered?: boolean
  /**
   * The fault outlasts what Redis's filter can cover (a row written after the rebuild that could have
   * counted it), so MySQL's guards refuse some accepted orders: those that end `failed` with
   * `insufficient_stock` or `per_user_limit` are the guard at work, counted in the notes instead of the
   * failed-orders column. Everything else — oversell, loss, leak, over-limit — must still be 0.
   */
  guardRefusalsExpected?: boolean
  /** Extra delay before the fault, after the first tenth of the stock was accepted. */
  startAfterMs?: number
  /**
   * Injects the fault and resolves once it is over (connections forwarding again, killed processes
   * restarted by the orchestrator). Must be bounded in time; the proxies are healed afterwards anyway.
   */
  inject(ctx: FaultContext): Promise<void>
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** mulberry32: a tiny seeded PRNG, so a failing run's fault timings can be replayed with its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}
