export { buildApp, type AppOverrides } from './app.ts'
export { OrderEnv, type OrderConfig } from './config.ts'
