import { PAYMENT_SIGNATURE_HEADER } from '@flash/contracts'
import { newUuid } from '@flash/db'
import type { ServiceApp } from '@flash/service-kit'
import { sql } from 'kysely'
import { signatureHeader } from '../src/payments/hmac-signature.ts'
import { PAYMENT_SUCCEEDED } from '../src/payments/local-provider.ts'
import { type Buyer, order, SERVICE_TOKEN, type World } from './helpers.ts'

export const WEBHOOK_SECRET = 'test-webhook-secret-0123456789'

/**
 * An order placed through the API and committed as the finalizer commits with a payment window: stock
 * taken in MySQL, `awaiting_payment` until `pay_by`, its reservation committed in inventory.
 */
export async function awaitingOrder(
  world: World,
  app: ServiceApp,
  buyer: Buyer,
  productId: number,
  { payWithinMs = 900_000, quantity = 1 } = {},
): Promise<string> {
  const res = await order(app, buyer, { product_id: productId, quantity })
  if (res.statusCode !== 202) throw new Error(`order failed: ${res.statusCode} ${res.body}`)
  const orderUuid: string = res.json().order_uuid
  const row = await world.db
    .selectFrom('orders')
    .selectAll()
    .where('order_uuid', '=', orderUuid)
    .executeTakeFirstOrThrow()
  await world.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('products')
      .set({ stock: sql`stock - ${quantity}` })
      .where('id', '=', productId)
      .execute()
    await trx
      .updateTable('orders')
      .set({
        status: 'awaiting_payment',
        pay_by: sql<Date>`current_timestamp(3) + interval ${payWithinMs * 1000} microsecond`,
      })
      .where('id', '=', row.id)
      .execute()
  })
  const settle = await world.inventory.inject({
    method: 'POST',
    url: '/internal/reservations/settle',
    headers: { authorization: `Bearer ${SERVICE_TOKEN}`, 'content-type': 'application/json' },
    payload: {
      items: [
        {
          reservation_id: row.reservation_id,
          product_id: productId,
          user_id: buyer.id,
          quantity,
          outcome: 'commit',
        },
      ],
    },
  })
  if (settle.statusCode !== 200) throw new Error(`settle failed: ${settle.body}`)
  return orderUuid
}

/** The provider's event body for a payment of `amountCents` on the order. */
export function paymentEvent(orderUuid: string, amountCents: number, eventId = `evt_${newUuid()}`): string {
  return JSON.stringify({
    id: eventId,
    type: PAYMENT_SUCCEEDED,
    data: { object: { order_uuid: orderUuid, amount_cents: amountCents, currency: 'usd' } },
  })
}

/** Delivers a body as the provider does: signed with `secret` at `timestamp` (default now). */
export function deliver(
  app: ServiceApp,
  body: string,
  {
    secret = WEBHOOK_SECRET,
    timestamp = Math.floor(Date.now() / 1000),
    signature = undefined as string | undefined,
  } = {},
) {
  return app.inject({
    method: 'POST',
    url: '/api/payments/webhook',
    headers: {
      'content-type': 'application/json',
      [PAYMENT_SIGNATURE_HEADER]: signature ?? signatureHeader(secret, body, timestamp),
    },
    payload: body,
  })
}

export function cancel(app: ServiceApp, buyer: Buyer, orderUuid: string) {
  return app.inject({
    method: 'POST',
    url: `/api/orders/${orderUuid}/cancel`,
    headers: { authorization: `Bearer ${buyer.token}` },
  })
}

export async function statusOf(world: World, orderUuid: string) {
  return world.db
    .selectFrom('orders')
    .select(['status', 'units_returned_at'])
    .where('order_uuid', '=', orderUuid)
    .executeTakeFirstOrThrow()
}

export async function stockOf(world: World, productId: number): Promise<number> {
  const row = await world.db
    .selectFrom('products')
    .select('stock')
    .where('id', '=', productId)
    .executeTakeFirstOrThrow()
  return Number(row.stock)
}

export async function paymentsOf(world: World, orderUuid: string) {
  return world.db
    .selectFrom('payments')
    .selectAll()
    .where('order_uuid', '=', orderUuid)
    .orderBy('id')
    .execute()
}
