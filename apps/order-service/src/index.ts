export { buildApp, type AppOverrides } from './app.ts'
