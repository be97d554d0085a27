import type { Order } from '@flash/contracts'
import type { Db, NewOrder, OrderRow } from '@flash/db'

export async function findOrderByUuid(db: Db, orderUuid: string): Promise<OrderRow | undefined> {
  return db.selectFrom('orders').selectAll().where('order_uuid', '=', orderUuid).executeTakeFirst()
}

/**
 * The rows that hold one of this new row's unique keys, after its INSERT met a duplicate: the same
 * order (our own write whose reply was lost), an earlier attempt under the same Idempotency-Key
 * (by uuid or by key), or inventory's fence for a reservation it gave up on (by reservation id).
 */
export async function findConflictingOrder(
  db: Db,
  row: { order_uuid: string; reservation_id: string; user_id: number; idempotency_key?: string | null },
): Promise<OrderRow[]> {
  return db
    .selectFrom('orders')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('order_uuid', '=', row.order_uuid),
        eb('reservation_id', '=', row.reservation_id),
        ...(row.idempotency_key
          ? [eb.and([eb('user_id', '=', row.user_id), eb('idempotency_key', '=', row.idempotency_key)])]
          : []),
      ]),
    )
    .orderBy('id')
    .execute()
}

export async function findOrderByReservation(db: Db, reservationId: string): Promise<OrderRow | undefined> {
  return db.selectFrom('orders').selectAll().where('reservation_id', '=', reservationId).executeTakeFirst()
}

/** The order placed under this Idempotency-Key: the durable record when Redis forgot the key. */
export async function findOrderByIdempotencyKey(
  db: Db,
  userId: number,
  key: string,
): Promise<OrderRow | undefined> {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('user_id', '=', userId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst()
}

/** The buyer's orders, newest first, `limit` rows whose id is below `beforeId` (keyset pagination). */
export async function listOrdersByUser(
  db: Db,
  userId: number,
  beforeId: number | undefined,
  limit: number,
): Promise<OrderRow[]> {
  let query = db.selectFrom('orders').selectAll().where('user_id', '=', userId)
  if (beforeId !== undefined) query = query.where('id', '<', beforeId)
  return query.orderBy('id', 'desc').limit(limit).execute()
}

/** Rows become API objects here and only here. */
export function toOrder(row: OrderRow): Order {
  return {
    order_uuid: row.order_uuid,
    status: row.status,
    product_id: Number(row.product_id),
    quantity: Number(row.quantity),
    total_price_cents: Number(row.total_price_cents),
    failed_reason: row.failed_reason,
    pay_by: row.status === 'awaiting_payment' && row.pay_by ? row.pay_by.toISOString() : null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}

/** Whether any order was placed under an Idempotency-Key (the idempotency marker's boot question). */
export async function hasKeyedOrders(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom('orders')
    .select('id')
    .where('idempotency_key', 'is not', null)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Writes the row unless a unique key (order uuid, reservation id, the buyer's Idempotency-Key) already
 * holds one: whichever row got there first stands, and the caller reads which one that is.
 */
export async function insertOrderIfAbsent(db: Db, row: NewOrder): Promise<void> {
  await db.insertInto('orders').ignore().values(row).execute()
}
