// A polite client: a 429 or 503 is the server shedding load, so wait what its Retry-After says and
// try again — never hammer a service that asked for a pause, never switch its limits off.
import { setTimeout as sleep } from 'node:timers/promises'
import type { ApiResult } from '@flash/api-client'

/** Retry-After in ms: delta-seconds or an HTTP date; `fallbackMs` when absent or unreadable. */
export function retryAfterMs(value: string | undefined, fallbackMs = 1000, nowMs = Date.now()): number {
  if (value === undefined || value.trim() === '') return fallbackMs
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? fallbackMs : Math.max(0, at - nowMs)
}

export const isShed = (status: number) => status === 429 || status === 503

export interface PoliteOptions {
  /** Give up (return the last shed answer) once waiting longer would pass this `Date.now()`. */
  deadlineMs: number
  signal?: AbortSignal | undefined
  /** Each shed answer, with the wait it asked for. */
  onShed?: (status: number, waitMs: number) => void
}

export async function politely<T>(
  call: () => Promise<ApiResult<T>>,
  { deadlineMs, signal, onShed }: PoliteOptions,
): Promise<ApiResult<T>> {
  for (;;) {
    const result = await call()
    if (result.ok || !isShed(result.status)) return result
    // A little jitter so a crowd told "1 s" does not come back in the same millisecond.
    const waitMs = retryAfterMs(result.headers['retry-after']) + Math.random() * 100
    onShed?.(result.status, waitMs)
    if (Date.now() + waitMs > deadlineMs || signal?.aborted) return result
    await sleep(waitMs, undefined, signal ? { signal } : undefined)
  }
}
