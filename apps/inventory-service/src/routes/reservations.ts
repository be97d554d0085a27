import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  ReserveBatchBody,
  ReserveBatchResult,
  type ReserveBody,
  type ReserveItemRefusal,
  type ReserveResult,
  SettleBatchBody,
  type SettleBody,
  SettleResult,
} from '@flash/contracts'
import { requireServiceCredential } from '@flash/service-kit'
import { unavailable, viaRedis } from '../errors.ts'
import { BODY_PROBLEMS, codes, INTERNAL_TAGS, problems } from '../schemas.ts'

export interface ReservationRoutesOptions {
  serviceToken: string
  reservationTtlMs: number
}

export const reservationRoutes: FastifyPluginAsyncTypebox<ReservationRoutesOptions> = async (
  app,
  options,
) => {
  const { reserves, settles } = app.inventoryMetrics
  const internal = { onRequest: requireServiceCredential(options.serviceToken) }

  /**
   * One reservation, cold product warmed on the way. Refusals a caller handles per item come back as
   * values; a Redis failure throws (503 for the whole call).
   */
  const reserveOne = async (body: ReserveBody): Promise<ReserveResult | ReserveItemRefusal> => {
    const { reservation_id: reservationId, product_id: productId, user_id: userId, quantity } = body
    const attempt = () =>
      app.stock.reserve(productId, reservationId, userId, quantity, options.reservationTtlMs, 'server')
    let result = await viaRedis(app.redis, attempt)
    if (!result.ok && result.reason === 'cold') {
      reserves.inc({ outcome: 'cold' })
      // Rebuild from MySQL (shared with concurrent callers), then try once more.
      const available = await viaRedis(app.redis, () => app.warmer.warm(productId))
      if (available === null) {
        reserves.inc({ outcome: 'product_not_found' })
        return { ok: false, reason: 'product_not_found' }
      }
      result = await viaRedis(app.redis, attempt)
    }
    if (result.ok) {
      reserves.inc({ outcome: result.replayed ? 'replayed' : 'ok' })
      return {
        ok: true,
        reservation_id: reservationId,
        unit_price_cents: result.price_cents,
        expires_at: new Date(result.expires_at_ms).toISOString(),
      }
    }
    reserves.inc({ outcome: result.reason })
    if (result.reason === 'sale_not_started' || result.reason === 'sale_ended') {
      const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
      return {
        ok: false,
        reason: result.reason,
        sale_starts_at: iso(result.window.startsMs),
        sale_ends_at: iso(result.window.endsMs),
        checked_at: new Date(result.now_ms).toISOString(),
      }
    }
    if (result.reason === 'settled') return { ok: false, reason: 'reservation_settled' }
    // Cold again right after a warm-up: the state is being wiped (flush, failover) as we speak.
    if (result.reason === 'cold')
      throw unavailable('Stock storage', new Error('state still cold after warm-up'))
    return { ok: false, reason: result.reason }
  }

  app.post(
    '/internal/reservations/batch',
    {
      ...internal,
      schema: {
        tags: INTERNAL_TAGS,
        summary: 'Reserve stock for several orders (service credential)',
        description:
          'The one way to reserve: the items of one call (a lone order is a batch of one) are independent ' +
          'reservations, answered in their order, each idempotent by `reservation_id` (a retry answers what ' +
          'the first call did); an unknown product or a settled reservation is an item `{ ok: false, reason }`. ' +
          'Their Redis commands go out together. A reservation not settled within RESERVATION_TTL_SECONDS is ' +
          'swept unless its order is pending. ' +
          codes('unauthorized', 'validation_failed', 'dependency_unavailable'),
        body: ReserveBatchBody,
        response: { 200: ReserveBatchResult, ...problems(...BODY_PROBLEMS, 401, 503) },
      },
    },
    async (request) => ({ results: await Promise.all(request.body.items.map(reserveOne)) }),
  )

  const settleOne = async (item: SettleBody, nowMs: number) => {
    const { reservation_id: id, product_id: productId } = item
    const result =
      item.outcome === 'commit'
        ? await app.stock.commit(productId, id, nowMs)
        : item.outcome === 'return'
          ? await app.stock.returnUnits(productId, id, item.quantity, item.user_id, nowMs)
          : await app.stock.release(productId, id, item.quantity, item.user_id, nowMs)
    const status = result.applied ? ('applied' as const) : ('noop' as const)
    // Units back on sale: order-service instances drop their "sold out" mark (best effort, not awaited).
    if (item.outcome === 'return' && result.applied)
      void app.publishEvent({ type: 'restocked', product_id: productId })
    settles.inc({ outcome: item.outcome, status })
    return { reservation_id: id, status }
  }

  app.post(
    '/internal/reservations/settle',
    {
      ...internal,
      schema: {
        tags: INTERNAL_TAGS,
        summary: 'Commit or release reservations (service credential)',
        description:
          'commit: the order holds its units (completed, awaiting payment). release: the order failed or was ' +
          'abandoned, the units return. return: an order that held its units expired or was cancelled (MySQL ' +
          'has put them back), they go back on sale. Idempotent by `reservation_id`: a repeat, a release after ' +
          'a commit, a commit after a return, is a `noop`. ' +
          codes('unauthorized', 'validation_failed', 'dependency_unavailable'),
        body: SettleBatchBody,
        response: { 200: SettleResult, ...problems(...BODY_PROBLEMS, 401, 503) },
      },
    },
    async (request) => {
      const nowMs = Date.now()
      // Items are independent scripts on one connection: sent together, answered in one round trip.
      const results = await viaRedis(app.redis, () =>
        Promise.all(request.body.items.map((item) => settleOne(item, nowMs))),
      )
      return { results }
    },
  )
}
