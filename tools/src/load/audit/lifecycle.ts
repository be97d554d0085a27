// The payment window as a flash sale lived it (pure, unit-tested in tools/test/load-lifecycle.test.ts):
// from the orders the buyers see after the drain, when each was paid, expired or cancelled (its
// `updated_at`, the moment of that last change), and the checks of docs/correctness.md that the
// lifecycle adds — every unit ended paid or back on sale, none sold twice, every returned unit back
// exactly once, and the units that came back while the sale was open bought again.
import type { Order } from '@flash/contracts'
import type { Check } from './types.ts'

/** A unit returned this close to the end of the load may not have been bought again: it is not judged. */
export const RESALE_GRACE_MS = 2_000

export interface LifecycleSeries {
  /** Seconds since the load started. */
  t: number[]
  /** Orders in each state by the end of that second (cumulative). */
  paid: number[]
  expired: number[]
  cancelled: number[]
}

export interface Lifecycle {
  /** Orders that took a unit at commit: awaiting, paid, completed, expired or cancelled. */
  committed: number
  awaiting: number
  paid: number
  /** Completed at commit (no window: a product or deployment with window 0). */
  completed: number
  expired: number
  cancelled: number
  /** Expired or cancelled before the load ended minus the grace: units the demand should have taken again. */
  returnedWhileOpen: number
  /** Units bought again after coming back: orders that took a unit beyond the supply. */
  resold: number
  series: LifecycleSeries
}

const HELD = new Set(['awaiting_payment', 'paid', 'completed'])
const RETURNED = new Set(['expired', 'cancelled'])

/**
 * `loadStartMs` / `loadEndMs` on the wall clock (Date.now()), compared with the platform's
 * `updated_at`: this assumes the two clocks agree (the same host for a local stack, NTP elsewhere).
 */
export function lifecycleOf(
  orders: readonly Order[],
  opts: { supplied: number; loadStartMs: number; loadEndMs: number },
): Lifecycle {
  const l = {
    committed: 0,
    awaiting: 0,
    paid: 0,
    completed: 0,
    expired: 0,
    cancelled: 0,
    returnedWhileOpen: 0,
  }
  const events: { s: number; status: 'paid' | 'expired' | 'cancelled' }[] = []
  for (const o of orders) {
    if (!HELD.has(o.status) && !RETURNED.has(o.status)) continue
    l.committed += o.quantity
    const atMs = Date.parse(o.updated_at)
    const s = Math.max(0, Math.floor((atMs - opts.loadStartMs) / 1000))
    const status = o.status
    if (status === 'awaiting_payment') l.awaiting += o.quantity
    else if (status === 'completed') l.completed += o.quantity
    else if (status === 'paid' || status === 'expired' || status === 'cancelled') {
      l[status] += o.quantity
      events.push({ s, status })
      if (status !== 'paid' && atMs < opts.loadEndMs - RESALE_GRACE_MS) l.returnedWhileOpen += o.quantity
    }
  }
  const last = events.reduce(
    (m, e) => Math.max(m, e.s),
    Math.ceil((opts.loadEndMs - opts.loadStartMs) / 1000),
  )
  const series: LifecycleSeries = { t: [], paid: [], expired: [], cancelled: [] }
  const per = {
    paid: new Array(last + 1).fill(0),
    expired: new Array(last + 1).fill(0),
    cancelled: new Array(last + 1).fill(0),
  }
  for (const e of events) per[e.status][e.s]++
  const run = { paid: 0, expired: 0, cancelled: 0 }
  for (let s = 0; s <= last; s++) {
    series.t.push(s)
    for (const k of ['paid', 'expired', 'cancelled'] as const) {
      run[k] += per[k][s]
      series[k].push(run[k])
    }
  }
  return { ...l, resold: Math.max(0, l.committed - opts.supplied), series }
}

/**
 * The lifecycle's checks, after a drain that waited for every window to close. `soldOut`: demand
 * exceeded supply, so every unit must have been bought and every unit that came back bought again.
 */
export function judgeLifecycle(
  l: Lifecycle,
  f: { supplied: number; available: number | undefined; soldOut: boolean },
): Check[] {
  const held = l.paid + l.completed + l.awaiting
  const returned = l.expired + l.cancelled
  const checks: Check[] = [
    {
      id: 'I7',
      label: 'no unit sold twice: paid units ≤ units made available',
      pass: l.paid + l.completed <= f.supplied,
      detail: `${l.paid} paid + ${l.completed} completed ≤ ${f.supplied} supplied`,
    },
    {
      id: 'I7-ended',
      label: 'every unit ended paid or back on sale (nothing still awaiting payment)',
      pass:
        l.awaiting === 0 && f.available !== undefined && l.paid + l.completed + f.available === f.supplied,
      detail: `${l.paid + l.completed} paid + ${f.available ?? 'unknown'} on sale = ${f.supplied} supplied; ${l.awaiting} awaiting`,
    },
    {
      id: 'I2-returned',
      label: 'every expired or cancelled unit went back on sale exactly once',
      // Each returned unit once more on sale: the stock is the supply less what the buyers still hold.
      pass: f.available === f.supplied - (l.committed - returned) && returned <= l.committed,
      detail: `available ${f.available ?? 'unknown'} = ${f.supplied} − (${l.committed} taken − ${returned} returned: ${l.expired} expired, ${l.cancelled} cancelled); ${held} held`,
    },
  ]
  if (!f.soldOut) return checks
  return [
    ...checks,
    {
      id: 'I6-sold',
      label: 'demand exceeded supply: every unit bought, some of them again',
      pass: l.committed >= f.supplied,
      detail: `${l.committed} units taken at commit ≥ ${f.supplied} supplied`,
    },
    {
      id: 'resale',
      label: 'units returned while the sale was open were bought again',
      pass: l.resold >= l.returnedWhileOpen && l.resold <= returned,
      detail: `${l.resold} bought again ≥ ${l.returnedWhileOpen} returned more than ${RESALE_GRACE_MS / 1000} s before the load ended (${returned} returned in all)`,
    },
  ]
}
