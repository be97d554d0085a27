export {
  createServiceApp,
  DEFAULT_REQUEST_LOG,
  DEFAULT_SHEDDING,
  type ServiceApp,
  type ServiceAppOptions,
  serviceAppConfig,
} from './create-app.ts'
export { ProblemError, problemTypeUri, type ProblemOptions, titleFor, unavailable } from './problem.ts'
export { errorHandlerPlugin, sendProblem } from './error-handler.ts'
export { noStore, securityHeadersPlugin } from './security-headers.ts'
export { isClientHangup, type SecurityEvent, ServiceEvents } from './service-events.ts'
export { LogSampler } from './log-sampler.ts'
export { runPeriodically } from './periodic.ts'
export { Batches, type BatchesOptions } from './batches.ts'
export { healthPlugin, type HealthOptions } from './health.ts'
export { Readiness, type ReadinessCheck, readinessOf } from './readiness.ts'
export { metricsPlugin } from './metrics.ts'
export { openApiPlugin } from './openapi.ts'
export { loggerOptions, REDACTED_PATHS } from './logger.ts'
export { genReqId, REQUEST_ID_HEADER, requestIdPlugin } from './request-id.ts'
export { RequestLog, type RequestLogOptions } from './request-log.ts'
export { NOT_SHED, type SheddingOptions, sheddingPlugin } from './shedding.ts'
export {
  type BootOptions,
  boot,
  isTransientBootError,
  type ListenOptions,
  listenOptions,
  listenWithGrace,
} from './server.ts'
export { Acceptors, claimPort, LISTEN_BACKLOG, listenOnSockets } from './acceptors.ts'
export { authPlugin, type AuthPluginOptions } from './auth/auth-plugin.ts'
export { tokenAuthPlugin, type TokenAuthOptions } from './auth/token-auth-plugin.ts'
export { InvalidTokenError, TokenVerifier, type TokenVerifierOptions } from './auth/token-verifier.ts'
export { RevocationList, type Revocation, type RevocationListOptions } from './auth/revocation-list.ts'
export { pruneRevocations } from './auth/revocation-store.ts'
export { requireServiceCredential } from './auth/service-credential.ts'
export { generateSigningKeyPair } from './auth/signing-keys.ts'
export {
  createRedis,
  logRedisErrors,
  redisErrorLogger,
  redisPlugin,
  type RedisPluginOptions,
} from './clients/redis.ts'
export { Subscription, type SubscriptionOptions } from './clients/subscription.ts'
export { dbPlugin, type DbPluginOptions } from './clients/db.ts'
export { RedisDataSince } from './clients/redis-data-since.ts'
export { inventoryClientPlugin } from './clients/inventory.ts'
export {
  BEARER,
  BODY_PROBLEMS,
  type ProblemResponse,
  problemCodes,
  problemResponses,
} from './openapi-responses.ts'
export {
  type UserThrottleOptions,
  userThrottleOptions,
  userThrottlePlugin,
} from './throttle/user-throttle.ts'
export { UserCounts } from './throttle/user-counts.ts'
export { TimedOut, withTimeout } from './with-timeout.ts'
