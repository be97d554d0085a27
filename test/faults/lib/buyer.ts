import type { ApiClient } from '@flash/api-client'

export interface BuyerPolicy {
  /** Attempts per logical order, the first included. */
  maxAttempts: number
  /** No new attempt starts this long after the first one. */
  deadlineMs: number
  /** Backoff when the server names no Retry-After: base × 2^(attempt−1), capped, with jitter. */
  backoffBaseMs: number
  backoffCapMs: number
  /** A Retry-After larger than this is shortened to it (a client on a sale page would not wait longer). */
  retryAfterCapMs: number
}

export const DEFAULT_POLICY: BuyerPolicy = {
  maxAttempts: 8,
  deadlineMs: 25_000,
  backoffBaseMs: 150,
  backoffCapMs: 2_000,
  retryAfterCapMs: 3_000,
}

export type Outcome =
  | { kind: 'accepted'; orderUuid: string }
  /** A final refusal (out of stock, another 4xx, a 500): the buyer stops. */
  | { kind: 'refused'; status: number; code: string }
  /** Attempts or time ran out on retryable answers: the buyer does not know what happened. */
  | { kind: 'gave_up'; last: string }

export interface OrderAttemptLog {
  outcome: Outcome
  attempts: number
  /** Every answer seen, in order: HTTP status with problem code, or the network error's code. */
  answers: string[]
  /** For an accepted order: the status of the owner's GET right after the 202 (0: no answer). */
  seenAtOnce?: number
}

/** Answers a real client retries with the same key: overload, a gateway without upstream, in flight. */
function retryable(status: number, code: string | undefined): boolean {
  if (status === 429 || status === 502 || status === 503 || status === 504) return true
  return status === 409 && code === 'idempotency_request_in_flight'
}

function retryAfterMs(header: string | undefined): number | undefined {
  if (!header) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(header)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}

/**
 * One buyer pressing "buy" the way a well-behaved client does: one Idempotency-Key for the logical
 * order, the same key and body on every retry, a retry only on answers that say "try again" (429,
 * 502–504, 409 in flight) or when no answer came (connection error, timeout), honouring Retry-After,
 * within a bounded number of attempts and time.
 */
export async function placeOrderLikeAClient(
  api: ApiClient,
  token: string,
  body: { product_id: number; quantity: number },
  idempotencyKey: string,
  policy: BuyerPolicy = DEFAULT_POLICY,
  random: () => number = Math.random,
): Promise<OrderAttemptLog> {
  const answers: string[] = []
  const start = Date.now()
  let last = 'no attempt'
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    let wait: number | undefined
    try {
      const res = await api.createOrder(token, body, idempotencyKey)
      const code = res.ok ? '' : (res.problem?.code ?? '')
      last = `${res.status}${code ? ` ${code}` : ''}`
      answers.push(last)
      if (res.ok && res.status === 202) {
        return { outcome: { kind: 'accepted', orderUuid: res.data.order_uuid }, attempts: attempt, answers }
      }
      if (!retryable(res.status, code)) {
        return { outcome: { kind: 'refused', status: res.status, code }, attempts: attempt, answers }
      }
      const hinted = retryAfterMs(res.headers['retry-after'])
      if (hinted !== undefined) wait = Math.min(hinted, policy.retryAfterCapMs)
    } catch (error) {
      // No answer at all (reset, refused, timeout): the order may or may not exist — retry with the key.
      const e = error as NodeJS.ErrnoException
      last = e.code ?? e.name ?? 'error'
      answers.push(last)
    }
    wait ??= Math.min(policy.backoffCapMs, policy.backoffBaseMs * 2 ** (attempt - 1)) * (0.5 + random())
    if (attempt === policy.maxAttempts || Date.now() + wait - start > policy.deadlineMs) break
    await new Promise((r) => setTimeout(r, wait))
  }
  return { outcome: { kind: 'gave_up', last }, attempts: answers.length, answers }
}
