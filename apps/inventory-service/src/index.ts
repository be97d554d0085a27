export { buildApp, type AppOverrides } from './app.ts'
export { StockState } from './schemas.ts'
