import type { OrderMessage } from '@flash/contracts'
import { type Database, newUuid } from '@flash/db'
import type { Kysely } from 'kysely'

/** A product row as inventory-service would create it (stock = supplied at first). */
export async function insertProduct(
  db: Kysely<Database>,
  stock: number,
  { price = 100, maxPerUser = null as number | null } = {},
): Promise<number> {
  const result = await db
    .insertInto('products')
    .values({ name: `p-${newUuid()}`, price_cents: price, stock, supplied: stock, max_per_user: maxPerUser })
    .executeTakeFirstOrThrow()
  return Number(result.insertId)
}

/** A pending order row as order-service writes it, and the message it sends. */
export async function insertPendingOrder(
  db: Kysely<Database>,
  productId: number,
  { quantity = 1, userId = 1, reservationId = newUuid() } = {},
): Promise<OrderMessage> {
  const message: OrderMessage = {
    v: 1,
    order_uuid: newUuid(),
    reservation_id: reservationId,
    product_id: productId,
    user_id: userId,
    quantity,
    request_id: `req-${newUuid()}`,
  }
  await db
    .insertInto('orders')
    .values({
      order_uuid: message.order_uuid,
      user_id: userId,
      product_id: productId,
      quantity,
      total_price_cents: 100 * quantity,
      reservation_id: reservationId,
      request_id: message.request_id,
    })
    .execute()
  return message
}

export async function stockOf(db: Kysely<Database>, productId: number): Promise<number> {
  const row = await db
    .selectFrom('products')
    .select('stock')
    .where('id', '=', productId)
    .executeTakeFirstOrThrow()
  return Number(row.stock)
}

export async function statusesOf(db: Kysely<Database>, uuids: string[]) {
  const rows = await db
    .selectFrom('orders')
    .select(['order_uuid', 'status', 'failed_reason'])
    .where('order_uuid', 'in', uuids)
    .execute()
  const byUuid = new Map(rows.map((r) => [r.order_uuid, r]))
  return uuids.map((u) => byUuid.get(u))
}
