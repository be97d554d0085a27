import t from 'tap'
import { DEV_DEFAULTS, defaultPort, instanceEnv, sharedEnv } from '../src/index.ts'

const secrets = { jwtPrivateKey: 'PEM', serviceToken: 'token-0123456789abcdef' }

t.test('shared env: dev defaults < generated secrets < caller env < stack overrides', async (t) => {
  const env = sharedEnv(
    { LOG_LEVEL: 'debug', SERVICE_TOKEN: 'from-shell-0123456789', PATH: '/bin', GONE: undefined },
    secrets,
    { LOG_LEVEL: 'warn', DATABASE_URL: 'mysql://root@127.0.0.1:3306/t_1' },
  )
  t.equal(env.LOG_LEVEL, 'warn')
  t.equal(env.SERVICE_TOKEN, 'from-shell-0123456789')
  t.equal(env.JWT_PRIVATE_KEY, 'PEM')
  t.equal(env.ADMIN_EMAIL, DEV_DEFAULTS.ADMIN_EMAIL)
  t.equal(env.DATABASE_URL, 'mysql://root@127.0.0.1:3306/t_1')
  t.equal(env.PATH, '/bin')
  t.notOk('GONE' in env)
})

t.test(
  'instance env: own port always, peers from the topology unless the service overrides them',
  async (t) => {
    const topology = {
      host: '127.0.0.1',
      sqsEndpoint: 'http://127.0.0.1:4566',
      urls: {
        'auth-service': ['http://127.0.0.1:3001'],
        'inventory-service': ['http://127.0.0.1:3002', 'http://127.0.0.1:3102'],
      },
    }
    const shared = { PORT: '9999', HOST: '0.0.0.0', INVENTORY_URL: 'http://elsewhere' }
    const first = instanceEnv(shared, undefined, 0, 3003, topology)
    const second = instanceEnv(shared, undefined, 1, 3103, topology)
    t.equal(first.PORT, '3003')
    t.equal(first.HOST, '127.0.0.1')
    t.equal(first.AUTH_JWKS_URL, 'http://127.0.0.1:3001/.well-known/jwks.json')
    t.equal(first.SQS_ENDPOINT, 'http://127.0.0.1:4566')
    t.equal(first.INVENTORY_URL, 'http://127.0.0.1:3002')
    t.equal(second.INVENTORY_URL, 'http://127.0.0.1:3102', 'instances are spread over inventory instances')

    const pointed = instanceEnv(shared, { INVENTORY_URL: 'http://127.0.0.1:1', PORT: '1' }, 0, 3003, topology)
    t.equal(pointed.INVENTORY_URL, 'http://127.0.0.1:1')
    t.equal(pointed.PORT, '3003', 'the port is never overridden')
  },
)

t.test('default ports: the service port, then +100 per extra instance', async (t) => {
  t.equal(defaultPort('order-service', 0), 3003)
  t.equal(defaultPort('order-service', 2), 3203)
})
