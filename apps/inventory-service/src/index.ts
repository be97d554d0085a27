export { buildApp, type AppOverrides } from './app.ts'
export { StockState } from './schemas.ts'
export { InventoryEnv, type InventoryConfig } from './config.ts'
export { productKeys } from './stock/index.ts'
