export { buildApp, type AppOverrides } from './app.ts'
export { POISON_HIDE_SECONDS } from './workers/dlq-worker.ts'
export {
  FinalizerEnv,
  type FinalizerConfig,
  OrdersQueueEnv,
  type OrdersQueueConfig,
  ordersQueueEnv,
  ordersQueueSetup,
} from './config.ts'
