export { defineStockCommands } from './commands.ts'
export {
  type ProductId,
  type ProductKeys,
  productKeys,
  STATE_SINCE_KEY,
  SWEEP_KEY,
  WARMED_KEY,
} from './keys.ts'
export { StockStore, TOMBSTONE_RETENTION_MS } from './stock-store.ts'
export type {
  CommitNoop,
  CommitResult,
  CreateInput,
  ExpiredReservation,
  MetaInput,
  ReconcileResult,
  ReleaseApplied,
  ReleaseNoop,
  ReleaseResult,
  ReserveRefusal,
  ReserveResult,
  RestockResult,
  StockProbe,
  StateVersion,
  StockSnapshot,
  UserId,
  WarmInput,
} from './types.ts'
export { uuidV7Time } from './uuid-time.ts'
