import type { SettleBody, SettleResult } from '@flash/contracts'
import { Pool } from 'undici'
import type { SettledOrder } from './repositories/finalize.ts'

export interface SettleClientOptions {
  url: string
  serviceToken: string
  timeoutMs: number
}

/** Terminal orders become settle items: completed commits the reservation, failed releases it. */
export function settleItems(orders: SettledOrder[]): SettleBody[] {
  return orders
    .filter((o) => o.status !== 'pending')
    .map((o) => ({
      reservation_id: o.reservation_id,
      product_id: o.product_id,
      user_id: o.user_id,
      quantity: o.quantity,
      outcome: o.status === 'completed' ? ('commit' as const) : ('release' as const),
    }))
}

/**
 * inventory-service's settle endpoint over a keep-alive pool. Settle is idempotent by reservation id,
 * so a batch that timed out is simply sent again on the message's retry.
 */
export class SettleClient {
  readonly #pool: Pool
  readonly #authorization: string
  readonly #timeoutMs: number

  constructor({ url, serviceToken, timeoutMs }: SettleClientOptions) {
    this.#pool = new Pool(new URL(url).origin, {
      connections: 16,
      keepAliveTimeout: 30_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: { timeout: timeoutMs },
    })
    this.#authorization = `Bearer ${serviceToken}`
    this.#timeoutMs = timeoutMs
  }

  async settle(items: SettleBody[], requestId: string): Promise<SettleResult> {
    const res = await this.#pool.request({
      path: '/internal/reservations/settle',
      method: 'POST',
      headers: {
        authorization: this.#authorization,
        'content-type': 'application/json',
        'x-request-id': requestId,
      },
      body: JSON.stringify({ items }),
      signal: AbortSignal.timeout(this.#timeoutMs),
    })
    const text = await res.body.text()
    if (res.statusCode !== 200)
      throw new Error(`inventory settle answered ${res.statusCode}: ${text.slice(0, 200)}`)
    return JSON.parse(text) as SettleResult
  }

  async ping(): Promise<void> {
    const res = await this.#pool.request({
      path: '/health',
      method: 'GET',
      signal: AbortSignal.timeout(this.#timeoutMs),
    })
    await res.body.dump()
    if (res.statusCode !== 200) throw new Error(`inventory health answered ${res.statusCode}`)
  }

  close(): Promise<void> {
    return this.#pool.close()
  }
}
