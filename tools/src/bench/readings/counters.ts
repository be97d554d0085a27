// Prometheus counters of the services, scraped before and after a run and diffed: how the answers were
// produced (sold-out marks vs inventory calls, compensations, finalizer outcomes), not just how many.
import { request } from 'undici'

/** Counters of the services worth a line in the report (whatever of them a service exposes). */
export const COUNTERS = [
  'order_intake_total',
  'order_inventory_reserve_calls_total',
  'order_compensations_total',
  'finalizer_orders_total',
  'finalizer_batch_failures_total',
  'finalizer_retries_total',
  'finalizer_dead_lettered_orders_total',
] as const

/** Series (name plus labels) → value, for the series of `names` in Prometheus text (pure). */
export function parseCounters(text: string, names: readonly string[]): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const space = line.lastIndexOf(' ')
    if (space < 0) continue
    const series = line.slice(0, space)
    const name = series.split('{')[0]!
    if (!names.includes(name)) continue
    const value = Number(line.slice(space + 1))
    if (Number.isFinite(value)) out.set(series, (out.get(series) ?? 0) + value)
  }
  return out
}

/** after − before, series that moved only (pure). */
export function diffCounters(
  before: Map<string, number>,
  after: Map<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [series, value] of after) {
    const delta = value - (before.get(series) ?? 0)
    if (delta !== 0) out[series] = delta
  }
  return out
}

/** The counters summed over every instance given; an instance that does not answer is skipped. */
export async function scrapeCounters(urls: readonly string[]): Promise<Map<string, number>> {
  const total = new Map<string, number>()
  for (const url of urls) {
    try {
      const res = await request(`${url}/metrics`, { headersTimeout: 5_000, bodyTimeout: 5_000 })
      const text = await res.body.text()
      if (res.statusCode !== 200) continue
      for (const [series, value] of parseCounters(text, COUNTERS)) {
        total.set(series, (total.get(series) ?? 0) + value)
      }
    } catch {
      // Not answering is reported elsewhere (statuses, crashes); counters are a bonus.
    }
  }
  return total
}
