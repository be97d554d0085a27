import type { Order } from '@flash/contracts'
import { isFence, type OrderRow } from '@flash/db'
import type { Redis } from 'ioredis'

/** What the intake knew of an order it accepted while its row's INSERT went unanswered. */
export interface UnconfirmedOrder {
  order_uuid: string
  user_id: number
  product_id: number
  quantity: number
  total_price_cents: number
  reservation_id: string
  created_at: string
}

/**
 * Orders answered 202 whose pending row MySQL has not confirmed yet (the INSERT got no answer in
 * time). The buyer holds the uuid from that moment, so `GET /api/orders/:uuid` must find it before
 * the row is readable, on any instance: this keeps what the intake knew, in Redis, for `ttlSeconds`
 * (far longer than MySQL takes to settle it once it answers again). Then MySQL tells:
 * - the row landed → it is the order (read first, this record is no longer looked at);
 * - the resolver fenced the uuid → a `failed` row (`abandoned`) under the same uuid;
 * - inventory's sweeper fenced the reservation first (the intake crashed before resolving) → that
 *   fence holds the reservation id under a uuid of its own: found through this record.
 */
export class UnconfirmedOrders {
  readonly #redis: Redis
  readonly #ttlSeconds: number

  constructor(redis: Redis, ttlSeconds: number) {
    this.#redis = redis
    this.#ttlSeconds = ttlSeconds
  }

  async remember(order: UnconfirmedOrder): Promise<void> {
    await this.#redis.set(this.#key(order.order_uuid), JSON.stringify(order), 'EX', this.#ttlSeconds)
  }

  async find(orderUuid: string): Promise<UnconfirmedOrder | undefined> {
    const raw = await this.#redis.get(this.#key(orderUuid))
    return raw === null ? undefined : (JSON.parse(raw) as UnconfirmedOrder)
  }

  #key(orderUuid: string): string {
    return `order:unconfirmed:{${orderUuid}}`
  }
}

/**
 * The order as its owner sees it while MySQL holds no row under its uuid: `pending` until the write
 * is settled, `failed` (`abandoned`) when a fence holds its reservation instead.
 */
export function unconfirmedOrder(order: UnconfirmedOrder, fence: OrderRow | undefined): Order {
  const settled = fence !== undefined && isFence(fence)
  return {
    order_uuid: order.order_uuid,
    status: settled ? 'failed' : 'pending',
    product_id: order.product_id,
    quantity: order.quantity,
    total_price_cents: order.total_price_cents,
    failed_reason: settled ? fence.failed_reason : null,
    pay_by: null,
    created_at: order.created_at,
    updated_at: settled ? fence.updated_at.toISOString() : order.created_at,
  }
}
