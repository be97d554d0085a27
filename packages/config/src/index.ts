export { ConfigError, loadConfig } from './load-config.ts'
export { mysqlEnv, redisEnv, serverEnv, serviceCredentialEnv, sqsEnv, tokenVerifierEnv } from './common.ts'
export { AuthEnv, type AuthConfig } from './services/auth.ts'
