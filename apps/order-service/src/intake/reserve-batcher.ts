import type { InventoryInternalClient, ReserveOutcome } from '@flash/api-client'
import { RESERVE_BATCH_MAX, type ReserveBody } from '@flash/contracts'
import { Batches } from '@flash/service-kit'

interface Waiting {
  body: ReserveBody
  requestId: string
  resolve: (outcome: ReserveOutcome) => void
  reject: (error: unknown) => void
}

export interface ReserveBatcherOptions {
  /** Reservations per call (at most the contract's RESERVE_BATCH_MAX). */
  maxItems?: number
  /** Calls on the wire at once; reserves arriving meanwhile gather for the next one. */
  maxInFlight?: number
}

/**
 * Reserves stock through inventory-service's batch endpoint: every reserve asked for in one turn of
 * the event loop goes out in one call (alone, in a batch of one: one endpoint, one code path). Under load a
 * turn serves tens of orders, and an HTTP exchange per order was most of inventory-service's CPU and a
 * seventh of order-service's (cpu-prof, docs/benchmarks.md). Each caller gets its own item's outcome;
 * a failed call (timeout, 503) fails each of its callers, who release their reservation as before.
 */
export class ReserveBatcher {
  readonly #inventory: InventoryInternalClient
  readonly #batches: Batches<Waiting>

  constructor(
    inventory: InventoryInternalClient,
    { maxItems = 50, maxInFlight = 16 }: ReserveBatcherOptions = {},
  ) {
    this.#inventory = inventory
    this.#batches = new Batches({
      send: (batch) => this.#send(batch),
      maxItems: Math.min(maxItems, RESERVE_BATCH_MAX),
      maxInFlight,
      window: 'turn',
    })
  }

  reserve(body: ReserveBody, requestId: string): Promise<ReserveOutcome> {
    return new Promise((resolve, reject) => this.#batches.add({ body, requestId, resolve, reject }))
  }

  async #send(batch: Waiting[]): Promise<void> {
    const [first] = batch
    // The call carries the first order's request id; each order's own id is in its log lines.
    try {
      const results = await this.#inventory.reserveBatch(
        batch.map((w) => w.body),
        first?.requestId ?? '',
      )
      batch.forEach((waiting, i) => {
        const result = results[i]
        if (result === undefined) waiting.reject(new Error('inventory answered fewer results than items'))
        else if (result instanceof Error) waiting.reject(result)
        else waiting.resolve(result)
      })
    } catch (error) {
      for (const waiting of batch) waiting.reject(error)
    }
  }
}
