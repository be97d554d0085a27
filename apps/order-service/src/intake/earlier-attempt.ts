import { withTimeout } from '@flash/service-kit'
import { type Database, newUuid, type OrderRow, writeFence } from '@flash/db'
import type { Kysely } from 'kysely'
import { idempotencyKeyReused } from '../errors.ts'
import { findOrderByIdempotencyKey } from '../repositories/orders.ts'

export interface TakenOverKey {
  userId: number
  productId: number
  quantity: number
  key: string
  fp: string
  /** The order uuid the earlier attempt held the key with. */
  orderUuid: string
}

/**
 * `order`: the earlier attempt placed this order — it is the key's answer, whatever stock is left now.
 * `none`: it never did and never will; this attempt places the order under `orderUuid` (a new one).
 */
export type EarlierAttempt = { kind: 'order'; row: OrderRow } | { kind: 'none'; orderUuid: string }

/**
 * Before a takeover reserves anything: what did the attempt that held the key leave in MySQL? Its
 * pending row may exist (it stalled after writing it, past its lease) — then refusing the retry for
 * stock that order itself holds would tell the buyer "sold out" for an order they are charged for. Or
 * its INSERT may still be on the wire: a fence under its order uuid settles that race atomically (the
 * unique key lets exactly one of the two land), so a row not found now can never appear later. Either
 * way the answer is read from MySQL, the guard, never decided by Redis alone.
 */
export async function findEarlierAttempt(
  db: Kysely<Database>,
  taken: TakenOverKey,
  timeoutMs: number,
): Promise<EarlierAttempt> {
  const look = async (): Promise<EarlierAttempt> => {
    await writeFence(db, {
      order_uuid: taken.orderUuid,
      reservation_id: newUuid(),
      user_id: taken.userId,
      product_id: taken.productId,
      quantity: taken.quantity,
    })
    // Fences carry no key: a row found by the key is an order.
    const row = await findOrderByIdempotencyKey(db, taken.userId, taken.key)
    if (row === undefined) return { kind: 'none', orderUuid: newUuid() }
    if (row.idempotency_fp !== null && row.idempotency_fp !== taken.fp) throw idempotencyKeyReused()
    return { kind: 'order', row }
  }
  return withTimeout(look(), timeoutMs, `earlier attempt lookup not answered within ${timeoutMs} ms`)
}
