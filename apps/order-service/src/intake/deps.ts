import type { InventoryInternalClient } from '@flash/api-client'
import type { Database } from '@flash/db'
import type { Kysely } from 'kysely'
import type { OrderMetrics } from '../plugins/metrics.ts'
import type { OrderQueue } from '../plugins/order-queue.ts'
import type { SaleWindowMarks } from './sale-window-marks.ts'
import type { SoldOutMarks } from './sold-out.ts'
import type { OrderInserter } from '../repositories/order-inserter.ts'
import type { ReserveBatcher } from './reserve-batcher.ts'
import type { UnconfirmedOrders } from './unconfirmed-orders.ts'
import type { UnresolvedWrites } from './unresolved-writes.ts'
import type { UnsentOrders } from './unsent-orders.ts'

/** Everything the order intake uses, passed in: nothing is reached through the app. */
export interface IntakeDeps {
  db: Kysely<Database>
  /** The pending-row INSERT, batched. */
  inserter: OrderInserter
  /** Reserves through inventory's batch endpoint. */
  reservations: ReserveBatcher
  /** Releases a reservation the intake gives up. */
  inventory: Pick<InventoryInternalClient, 'settle'>
  soldOut: SoldOutMarks
  /** Products whose sale is not open, refused locally like sold-out ones. */
  saleWindows: SaleWindowMarks
  queue: OrderQueue
  /** Accepted orders whose message SQS did not take: re-sent in the background. */
  unsent: UnsentOrders
  /** Accepted orders whose INSERT got no answer: settled as soon as MySQL answers. */
  unresolved: UnresolvedWrites
  /** Those same orders, visible to their owner until MySQL holds their outcome. */
  unconfirmed: UnconfirmedOrders
  metrics: OrderMetrics
  /** Deadline of the pending-row write and of the reads that resolve an ambiguous one. */
  writeMs: number
}
