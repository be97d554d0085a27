export { defineStockCommands } from './commands.ts'
export { type ProductId, type ProductKeys, productKeys, SWEEP_KEY } from './keys.ts'
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
  StockSnapshot,
  UserId,
  WarmInput,
} from './types.ts'
export { uuidV7Time } from './uuid-time.ts'
