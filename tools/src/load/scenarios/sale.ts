// A flash sale's load, shared by `npm run load -- flash-sale` and the bench's flash-sale and naive
// runs: the order load on one product, the opening (a sale scheduled to open `opensAtMs`, or, for the
// naive reference design which has no schedule, `open()` making the units available `openAfterS` into
// the load — either way every connection is open and being refused when the sale opens and the
// sell-out time measures the sale, not the TCP handshakes), the accepted orders counted as they come,
// and the rule for when the load stops.
import { setTimeout as sleep } from 'node:timers/promises'
import { type CannonRun, type CannonSpec, runCannon } from '../engine/cannon.ts'

/** Refusals kept after the sell-out: the sold-out answers of a sale are part of its workload. */
export const AFTER_SELL_OUT_MS = 1_000

/**
 * When a sale's load stops (pure): at least `minMs`, so answered/s covers the same stretch as any
 * other run, and past that until the units are sold out (plus a second of refusals), at most `maxMs`.
 */
export function saleOver(opts: {
  elapsedMs: number
  minMs: number
  maxMs: number
  /** Load-relative ms at which the sale was seen sold out (undefined: not yet). */
  soldOutAtMs: number | undefined
}): boolean {
  const { elapsedMs, minMs, maxMs, soldOutAtMs } = opts
  if (elapsedMs >= maxMs) return true
  if (elapsedMs < minMs) return false
  return soldOutAtMs !== undefined && elapsedMs - soldOutAtMs >= AFTER_SELL_OUT_MS
}

/**
 * Counts 2xx answers and remembers when the last one arrived. Each order is for one unit, so the sale
 * has sold out when `units` orders were accepted: that answer's time is the sell-out time. (A 409 is
 * no proof: right after the opening a refusal can still come from a sold-out mark not yet cleared.)
 */
export function acceptedTracker(units: number) {
  const t = {
    accepted: 0,
    lastAtMs: undefined as number | undefined,
    soldOut: false,
    /** `performance.now()` of the answer that accepted the last unit. */
    soldOutAtMs: undefined as number | undefined,
  }
  return {
    state: t,
    onResponse: (status: number, atMs: number) => {
      if (status < 200 || status >= 300) return
      t.accepted++
      t.lastAtMs = atMs
      if (t.accepted >= units && !t.soldOut) {
        t.soldOut = true
        t.soldOutAtMs = atMs
      }
    },
  }
}

export interface SaleSpec {
  /** The order load (its durationS is the sale's minimum). */
  load: CannonSpec
  units: number
  /** The load goes on past `load.durationS` until sold out, at most this long (s). */
  maxS: number
  openAfterS: number
  /** Makes the units available (undefined: they were there before the load, or scheduled). */
  open?: (() => Promise<void>) | undefined
  /** The sale opens by its schedule at this `performance.now()` (nothing to call). */
  opensAtMs?: number | undefined
}

export interface SaleRun {
  run: CannonRun
  accepted: number
  soldOut: boolean
  /** `performance.now()` of the scheduled opening, or when `open()` was called, else the load start. */
  openedAtMs: number
  /** How long `open()` took, if it ran during the load. */
  openTookMs?: number | undefined
  /** `performance.now()` of the answer that took the last unit. */
  soldOutAtMs: number | undefined
  /** From the opening to the last unit accepted (null: not sold out within the run). */
  sellOutMs: number | null
  /** Accepted orders per second, over the time to sell out (or from the opening to the end). */
  acceptedPerS: number
}

export async function runSale(spec: SaleSpec): Promise<SaleRun> {
  const tracker = acceptedTracker(spec.units)
  const ended = new AbortController()
  const startMs = performance.now()
  const watch = setInterval(() => {
    const at = tracker.state.soldOutAtMs
    const over = saleOver({
      elapsedMs: performance.now() - startMs,
      minMs: spec.load.durationS * 1000,
      maxMs: spec.maxS * 1000,
      soldOutAtMs: at === undefined ? undefined : at - startMs,
    })
    if (over) ended.abort()
  }, 100)
  const outer = spec.load.signal
  // The runner's own duration is only the backstop: the watch above ends the load.
  const running = runCannon({
    ...spec.load,
    durationS: Math.max(spec.load.durationS, spec.maxS) + 1,
    signal: outer ? AbortSignal.any([outer, ended.signal]) : ended.signal,
    onResponse: (status, at, latencyMs) => {
      tracker.onResponse(status, at)
      spec.load.onResponse?.(status, at, latencyMs)
    },
  })
  let openedAtMs = startMs
  let openTookMs: number | undefined
  try {
    if (spec.open) {
      await sleep(spec.openAfterS * 1000, undefined, outer ? { signal: outer } : undefined)
      // The sale opens when the restock is sent: its own time is part of the sell-out time.
      openedAtMs = performance.now()
      await spec.open()
      openTookMs = performance.now() - openedAtMs
    }
    const run = await running
    if (spec.opensAtMs !== undefined) openedAtMs = spec.opensAtMs
    else if (!spec.open) openedAtMs = run.startedAtMs
    const { accepted, soldOut, soldOutAtMs } = tracker.state
    const sellOutMs = soldOutAtMs === undefined ? null : soldOutAtMs - openedAtMs
    return {
      run,
      accepted,
      soldOut,
      openedAtMs,
      openTookMs,
      soldOutAtMs,
      sellOutMs,
      acceptedPerS: (accepted * 1000) / Math.max(1, sellOutMs ?? run.endedAtMs - openedAtMs),
    }
  } catch (error) {
    // Never leave the load running behind a failed opening.
    ended.abort()
    await running.catch(() => {})
    throw error
  } finally {
    clearInterval(watch)
  }
}
