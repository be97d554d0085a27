import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter } from 'prom-client'

/** Stock counters next to the kit's HTTP metrics on `/metrics`; labels are small fixed sets. */
export interface InventoryMetrics {
  /** Reserve answers by outcome: ok, replayed, sale_not_started, sale_ended, out_of_stock, per_user_limit, cold, settled, product_not_found. */
  reserves: Counter<'outcome'>
  /** Settle items by outcome (commit|release) and status (applied|noop). */
  settles: Counter<'outcome' | 'status'>
  /** Warm-ups that ran, by result: warmed, noop (another writer won), not_found, error. */
  warmups: Counter<'result'>
  /** Sweeper ticks: done, locked (another instance sweeps), error. */
  sweeps: Counter<'result'>
  /** Expired reservations the sweeper handled: released, extended, committed, gone. */
  swept: Counter<'action'>
  /** Redis restocks: applied, noop (already included), cold (MySQL has it). */
  restocks: Counter<'result'>
  /** Reconciler repairs of Redis availability, by direction: up (Redis had too few), down (too many). */
  repairs: Counter<'direction'>
  /** Units the reconciler moved, by direction. */
  repairedUnits: Counter<'direction'>
}

declare module 'fastify' {
  interface FastifyInstance {
    inventoryMetrics: InventoryMetrics
  }
}

export const inventoryMetricsPlugin = fp(
  async (app: FastifyInstance) => {
    const registers = [app.metrics]
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name, help, labelNames, registers })
    app.decorate('inventoryMetrics', {
      reserves: counter('inventory_reserves_total', 'Reserve calls by outcome', ['outcome']),
      settles: counter('inventory_settles_total', 'Settled reservations by outcome and status', [
        'outcome',
        'status',
      ]),
      warmups: counter('inventory_warmups_total', 'Warm-ups of Redis stock state from MySQL', ['result']),
      sweeps: counter('inventory_sweeps_total', 'Sweeper runs by result', ['result']),
      swept: counter('inventory_swept_reservations_total', 'Expired reservations handled by the sweeper', [
        'action',
      ]),
      restocks: counter('inventory_redis_restocks_total', 'Restocks applied to Redis state', ['result']),
      repairs: counter('inventory_reconcile_repairs_total', 'Drift repairs of quiet products', ['direction']),
      repairedUnits: counter('inventory_reconcile_units_total', 'Units moved by drift repairs', [
        'direction',
      ]),
    })
  },
  { name: 'inventory-metrics', dependencies: ['flash-metrics'] },
)
