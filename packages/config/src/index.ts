// The pieces every service's environment schema is composed from, and the loader. Each app's own
// schema lives in its folder (`apps/<service>/src/config.ts`), next to the code that reads it.
export { ConfigError, loadConfig } from './load-config.ts'
export {
  inventoryClientEnv,
  mysqlEnv,
  Port,
  redisEnv,
  redisRequestPathEnv,
  serverEnv,
  serviceCredentialEnv,
  sqsEnv,
  tokenVerifierEnv,
  userRateLimitEnv,
} from './common.ts'
