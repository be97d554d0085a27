import { ERROR_CODES, type OrderAccepted } from '@flash/contracts'
import { type Database, newUuid, type OrderRow } from '@flash/db'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import { IdempotencyRefusal, idempotencyKeyReused, type Refusal, unavailable } from '../errors.ts'
import { findOrderByIdempotencyKey } from '../repositories/orders.ts'
import { findEarlierAttempt } from './earlier-attempt.ts'
import type { IdempotencyStore, StoredAnswer } from './idempotency-store.ts'

export type Outcome = OrderAccepted | Refusal

/** The answer to send, and whether it is an earlier request's (header `idempotent-replayed`). */
export interface Answer {
  outcome: Outcome
  replayed: boolean
}

/** A buyer's Idempotency-Key, with what the request asks (a takeover fences with it). */
export interface BuyerKey {
  userId: number
  key: string
  productId: number
  quantity: number
  log: FastifyBaseLogger
}

/** What the key guards: placing the order, or making an earlier attempt's order the answer. */
export interface Attempt {
  /** Places the order under `orderUuid` (chosen when the key was claimed). */
  place(orderUuid: string): Promise<Outcome>
  /** An earlier attempt placed this order: it is the answer (its message is re-sent while pending). */
  resume(row: OrderRow): Promise<OrderAccepted>
}

export interface IdempotencyDeps {
  store: IdempotencyStore
  db: Kysely<Database>
  /** Deadline of the MySQL reads that decide what an earlier attempt left. */
  writeMs: number
}

/**
 * Runs `attempt` at most once per key and body (IETF Idempotency-Key draft): a finished request's 202
 * or 4xx is replayed, a request in flight is refused (409), another body under the key is refused
 * (422). A takeover (the key's holder outlived its lease) first asks MySQL what the earlier attempt
 * left; a fresh claim ending in a refusal is checked against the order rows when Redis may have lost
 * its records. A 5xx frees the key so the retry runs afresh — an order row written meanwhile still
 * holds the key, so that retry finds it instead of doubling it.
 */
export async function idempotent(
  deps: IdempotencyDeps,
  key: BuyerKey,
  fingerprint: string,
  attempt: Attempt,
): Promise<Answer> {
  const { store } = deps
  let begun: Awaited<ReturnType<IdempotencyStore['begin']>>
  try {
    begun = await store.begin(key.userId, key.key, fingerprint, newUuid())
  } catch (error) {
    if (error instanceof IdempotencyRefusal) throw error
    throw unavailable('The idempotency store', error)
  }
  if (begun.kind === 'replay') return { outcome: fromStored(begun.answer), replayed: true }

  let answer: Answer
  try {
    let orderUuid = begun.orderUuid
    if (!begun.fresh) {
      const earlier = await lookUpEarlierAttempt(deps, key, fingerprint, orderUuid)
      if (earlier.kind === 'order') {
        const accepted = await attempt.resume(earlier.row)
        await store.complete(key.userId, key.key, begun.owner, fingerprint, { status: 202, body: accepted })
        return { outcome: accepted, replayed: true }
      }
      orderUuid = earlier.orderUuid
    }
    answer = { outcome: await attempt.place(orderUuid), replayed: false }
    if ('refused' in answer.outcome && begun.fresh) {
      const original = await durableReplay(deps, key, fingerprint)
      if (original) answer = { outcome: original, replayed: true }
    }
  } catch (error) {
    await store.release(key.userId, key.key, begun.owner)
    throw error
  }
  // "Not yet" is not an answer to keep: the same request, sent again once the sale opens, must be
  // placed. The key is freed, as after a 503 (nothing was reserved).
  if ('refused' in answer.outcome && answer.outcome.refused === 'sale_not_started') {
    await store.release(key.userId, key.key, begun.owner)
    return answer
  }
  // If Redis fails here the record is retried until Redis takes it; a retry meanwhile is told the key
  // is in flight (or, after the lease, takes it over, finds this order by its uuid and replays it) —
  // so the answer is still the truth.
  await store.complete(key.userId, key.key, begun.owner, fingerprint, toStored(answer.outcome))
  return answer
}

function toStored(outcome: Outcome): StoredAnswer {
  return 'refused' in outcome
    ? { status: ERROR_CODES[outcome.refused], code: outcome.refused, detail: outcome.detail }
    : { status: 202, body: outcome }
}

function fromStored(stored: StoredAnswer): Outcome {
  if ('body' in stored) return stored.body
  // Only refusals of this intake are stored besides 202s.
  return { refused: stored.code as Refusal['refused'], detail: stored.detail }
}

/** A MySQL that cannot say what the earlier attempt left is a 503: nothing was reserved yet. */
async function lookUpEarlierAttempt(deps: IdempotencyDeps, key: BuyerKey, fp: string, orderUuid: string) {
  const { userId, productId, quantity } = key
  try {
    return await findEarlierAttempt(
      deps.db,
      { userId, productId, quantity, key: key.key, fp, orderUuid },
      deps.writeMs,
    )
  } catch (error) {
    if (error instanceof IdempotencyRefusal) throw error
    throw unavailable('The order database', error)
  }
}

/**
 * A fresh claim (Redis had no record) ending in a refusal: if Redis may have lost its records, the
 * order row is the durable one — an order placed under this key is the answer, not "sold out".
 */
async function durableReplay(
  deps: IdempotencyDeps,
  key: BuyerKey,
  fp: string,
): Promise<OrderAccepted | undefined> {
  try {
    if (!(await deps.store.mayHaveForgotten())) return undefined
    const row = await findOrderByIdempotencyKey(deps.db, key.userId, key.key)
    if (!row) return undefined
    if (row.idempotency_fp !== fp) throw idempotencyKeyReused()
    return { order_uuid: row.order_uuid, status: 'pending' }
  } catch (error) {
    if (error instanceof IdempotencyRefusal) throw error
    // The refusal stands: nothing was placed by this attempt either way.
    key.log.warn({ err: error }, 'durable idempotency check failed')
    return undefined
  }
}
