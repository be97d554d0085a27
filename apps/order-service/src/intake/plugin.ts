import { toOrderMessage } from '@flash/contracts'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { hasKeyedOrders } from '../repositories/orders.ts'
import { OrderInserter } from '../repositories/order-inserter.ts'
import type { IntakeDeps } from './deps.ts'
import { IdempotencyStore } from './idempotency-store.ts'
import { type Answer, idempotent } from './idempotent.ts'
import { acceptExisting, type PlaceOrder, placeOrder } from './place-order.ts'
import { ReserveBatcher } from './reserve-batcher.ts'
import { UnconfirmedOrders } from './unconfirmed-orders.ts'
import { UnresolvedWrites } from './unresolved-writes.ts'
import { UnsentOrders } from './unsent-orders.ts'

export interface Intake {
  /** Places one order; with an Idempotency-Key, at most once per key and body. */
  take(input: Omit<PlaceOrder, 'orderUuid' | 'idempotency'>, key?: string): Promise<Answer>
  /** Accepted orders whose row MySQL has not confirmed yet (the status endpoint reads them). */
  unconfirmed: UnconfirmedOrders
}

declare module 'fastify' {
  interface FastifyInstance {
    intake: Intake
  }
}

export interface IntakeOptions {
  writeMs: number
  idempotencyTtlSeconds: number
  idempotencyLeaseMs: number
}

/**
 * Builds the order intake from the app's clients (MySQL, Redis, inventory, the orders queue, the
 * sold-out marks, metrics) and hands each piece its dependencies explicitly; the routes see only
 * `app.intake`.
 */
export const intakePlugin = fp<IntakeOptions>(
  async (app: FastifyInstance, options) => {
    const metrics = app.orderMetrics
    const unsent = new UnsentOrders({
      send: (message, requestId) => app.orderQueue.send(message, requestId),
      log: app.log,
      onResent: () => metrics.outcomes.inc({ outcome: 'resent' }),
    })
    const unresolved = new UnresolvedWrites({
      db: app.db,
      send: (row) => unsent.keep(toOrderMessage(row, row.request_id ?? ''), row.request_id ?? ''),
      release: (row) =>
        app.inventory
          .settle(
            [
              {
                reservation_id: row.reservation_id,
                product_id: Number(row.product_id),
                user_id: Number(row.user_id),
                quantity: Number(row.quantity),
                outcome: 'release',
              },
            ],
            row.request_id ?? '',
          )
          .then(() => {}),
      log: app.log,
    })
    const deps: IntakeDeps = {
      db: app.db,
      inserter: new OrderInserter(app.db, { timeoutMs: options.writeMs }),
      reservations: new ReserveBatcher(app.inventory),
      inventory: app.inventory,
      soldOut: app.soldOut,
      saleWindows: app.saleWindows,
      queue: app.orderQueue,
      unsent,
      unresolved,
      unconfirmed: new UnconfirmedOrders(app.redis, options.idempotencyTtlSeconds),
      metrics,
      writeMs: options.writeMs,
    }
    const store = new IdempotencyStore(app.redis, options.idempotencyTtlSeconds, options.idempotencyLeaseMs)
    // Not fatal: without the marker, `mayHaveForgotten` simply says yes until one TTL has passed.
    await store
      .initialise(() => hasKeyedOrders(app.db))
      .catch((error) => {
        app.log.warn({ err: error }, 'idempotency marker not initialised')
      })
    const idempotency = { store, db: app.db, writeMs: options.writeMs }

    app.decorate('intake', {
      unconfirmed: deps.unconfirmed,
      take: async (input, key) => {
        if (key === undefined) return { outcome: await placeOrder(deps, input), replayed: false }
        const { userId, productId, quantity, log } = input
        const fp = IdempotencyStore.fingerprint({ product_id: productId, quantity })
        return idempotent(idempotency, { userId, key, productId, quantity, log }, fp, {
          place: (orderUuid) => placeOrder(deps, { ...input, orderUuid, idempotency: { key, fp } }),
          resume: (row) => acceptExisting(deps, input, row),
        })
      },
    } satisfies Intake)
    app.addHook('preClose', async () => {
      unsent.close()
      unresolved.close()
    })
    app.addHook('onClose', async () => store.stop())
  },
  {
    name: 'order-intake',
    dependencies: [
      'flash-db',
      'flash-redis',
      'flash-inventory-client',
      'order-queue',
      'order-sold-out',
      'order-metrics',
    ],
  },
)
