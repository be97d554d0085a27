import t from 'tap'
import { Type } from 'typebox'
import { ConfigError, loadConfig, mysqlEnv, serverEnv } from '../src/index.ts'

// A schema composed the way every app composes its own (apps/<service>/src/config.ts).
const AuthEnv = Type.Object({
  ...serverEnv(3001),
  ...mysqlEnv,
  JWT_PRIVATE_KEY: Type.String({ pattern: '-----BEGIN PRIVATE KEY-----' }),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 1, maximum: 900, default: 900 }),
  ADMIN_EMAIL: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
})

const key = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIE\n-----END PRIVATE KEY-----\n'

t.test('converts strings and fills defaults', async (t) => {
  const config = loadConfig(AuthEnv, { JWT_PRIVATE_KEY: key, PORT: '4001', OTHER: 'ignored' })
  t.equal(config.PORT, 4001)
  t.equal(config.HOST, '127.0.0.1')
  t.equal(config.ACCESS_TOKEN_TTL_SECONDS, 900)
  t.equal(config.ADMIN_EMAIL, undefined)
})

t.test('refuses a bad value and names the variable', async (t) => {
  const error = t.throws(() => loadConfig(AuthEnv, { JWT_PRIVATE_KEY: key, PORT: 'eighty' })) as ConfigError
  t.type(error, ConfigError)
  t.same(error.variables, ['PORT'])
  t.match(error.message, /PORT/)
})

t.test('refuses a missing required variable and names it', async (t) => {
  const error = t.throws(() => loadConfig(AuthEnv, {})) as ConfigError
  t.same(error.variables, ['JWT_PRIVATE_KEY'])
})

t.test('refuses a token lifetime above the 15 minute ceiling', async (t) => {
  const error = t.throws(() =>
    loadConfig(AuthEnv, { JWT_PRIVATE_KEY: key, ACCESS_TOKEN_TTL_SECONDS: '3600' }),
  ) as ConfigError
  t.same(error.variables, ['ACCESS_TOKEN_TTL_SECONDS'])
})

t.test('an empty string counts as unset', async (t) => {
  t.equal(loadConfig(AuthEnv, { JWT_PRIVATE_KEY: key, LOG_LEVEL: '' }).LOG_LEVEL, 'info')
})
