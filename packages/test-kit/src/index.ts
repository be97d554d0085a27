export {
  createDbInTimeZone,
  createTestDatabase,
  TEST_MYSQL_SERVER,
  uniqueName,
  type TestDatabase,
} from './database.ts'
export { createTestRedisPrefix, deleteKeysByPrefix, TEST_REDIS_URL } from './redis.ts'
export { eventually, inParallel, metricValue } from './wait.ts'
export { TcpProxy, type ProxyTarget } from './tcp-proxy.ts'
export type { Teardown } from './teardown.ts'
export {
  configTableProblems,
  type DocumentedVariable,
  documentedDefault,
  type EnvSchemaShape,
  readConfigTable,
} from './readme-config.ts'
export { type LintResult, lintOpenApi } from './openapi-lint.ts'
