// `npm run load` flags and --expect thresholds: parsing, defaults, refusals, evaluation. No load.
import t from 'tap'
import { DEFAULT_MIX, parseLoadArgs, parseMix } from '../src/load/args.ts'
import { evaluateThresholds, parseExpect } from '../src/load/expect.ts'

const options = (argv: string[], env = {}) => {
  const parsed = parseLoadArgs(argv, env)
  if (parsed.help) throw new Error('unexpected help')
  return parsed.options
}

t.test('a scenario with its defaults', async (t) => {
  const o = options(['flash-sale'])
  t.equal(o.scenario, 'flash-sale')
  t.equal(o.url, 'http://127.0.0.1:8080')
  t.equal(o.stock, 10_000)
  t.equal(o.connections, 200)
  t.equal(o.rate, undefined, 'closed loop unless --rate')
  t.equal(o.openAfterS, 1)
  t.equal(o.adminEmail, 'admin@example.com')
  t.same(o.expect, [])
  t.equal(o.quiet, false)
  const shop = options(['steady-shop'])
  t.equal(shop.rate, 500, 'steady-shop runs at a fixed rate by default')
  t.same(shop.mix, DEFAULT_MIX)
  t.equal(options(['auth-storm']).buyers, 100)
  t.equal(options(['auth-storm']).rate, 10, 'auth-storm defaults to a rate the local stack holds')
})

t.test('flags override the defaults; the environment supplies the admin', async (t) => {
  const o = options(
    [
      'sold-out',
      '--url',
      'https://staging.example.com/',
      '--duration',
      '30',
      '--rate',
      '2000',
      '--connections',
      '64',
      '--buyers',
      '10',
      '--out',
      'tmp/x',
      '--buyers-file',
      'tmp/b.json',
      '--quiet',
      '--expect',
      'p99<200,errors=0',
    ],
    { ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: 'secret-secret' },
  )
  t.equal(o.url, 'https://staging.example.com', 'trailing slash dropped')
  t.equal(o.durationS, 30)
  t.equal(o.rate, 2000)
  t.equal(o.connections, 64)
  t.equal(o.buyers, 10)
  t.equal(o.outDir, 'tmp/x')
  t.equal(o.buyersFile, 'tmp/b.json')
  t.equal(o.quiet, true)
  t.equal(o.adminEmail, 'ops@example.com')
  t.equal(o.adminPassword, 'secret-secret')
  t.equal(o.expect.length, 2)
  t.equal(options(['sold-out', '--admin-email', 'a@b.c'], { ADMIN_EMAIL: 'x@y.z' }).adminEmail, 'a@b.c')
})

t.test(
  'a harness aims the scenarios: orders elsewhere, warm-up, a sale by restock that runs to the sell-out',
  async (t) => {
    const a = options(['accepted'])
    t.same(
      [a.stock, a.connections, a.buyers, a.warmupS],
      [10_000_000, 100, 200, 0],
      'accepted: stock no run sells out',
    )
    t.same(a.ordersUrls, [a.url], 'orders go to --url unless told otherwise')
    t.equal(a.stockUrl, a.url)
    t.equal(a.serviceToken, undefined)
    const o = options(
      [
        'flash-sale',
        '--url',
        'http://127.0.0.1:9000',
        '--orders-url',
        'http://127.0.0.1:9001/, http://127.0.0.1:9002',
        '--stock-url',
        'http://127.0.0.1:9003',
        '--open-by',
        'restock',
        '--sale-max',
        '60',
        '--warmup',
        '2',
      ],
      { SERVICE_TOKEN: 'token-from-the-environment' },
    )
    t.same(
      o.ordersUrls,
      ['http://127.0.0.1:9001', 'http://127.0.0.1:9002'],
      'a list, trailing slashes dropped',
    )
    t.equal(o.stockUrl, 'http://127.0.0.1:9003')
    t.equal(o.openBy, 'restock')
    t.equal(o.saleMaxS, 60)
    t.equal(o.warmupS, 2)
    t.equal(o.serviceToken, 'token-from-the-environment')
    t.equal(options(['flash-sale']).openBy, 'schedule')
    t.equal(
      options(['flash-sale', '--duration', '30', '--sale-max', '5']).saleMaxS,
      30,
      'never shorter than --duration',
    )
    t.throws(() => parseLoadArgs(['flash-sale', '--open-by', 'magic']), /--open-by/)
    t.throws(
      () => parseLoadArgs(['sold-out', '--orders-url', 'http://a,ftp://b']),
      /--orders-url must be an http/,
    )
    t.throws(() => parseLoadArgs(['accepted', '--stock', '0']), /--stock/)
  },
)

t.test('the last --mix wins (per-service scripts preset one)', async (t) => {
  const o = options(['steady-shop', '--mix', 'browse=50,product=40,order=10', '--mix', 'me=1'])
  t.same(o.mix, { browse: 0, product: 0, order: 0, status: 0, me: 1 })
  t.same(parseMix('order=3, status=1'), { browse: 0, product: 0, order: 3, status: 1, me: 0 })
  t.throws(() => parseMix('cart=1'), /unknown request kind/)
  t.throws(() => parseMix('order=0'), /at least one weight/)
})

t.test('refusals name the problem', async (t) => {
  t.same(parseLoadArgs(['--help']), { help: true })
  t.same(parseLoadArgs(['flash-sale', '-h']), { help: true })
  t.throws(() => parseLoadArgs([]), /name one scenario/)
  t.throws(() => parseLoadArgs(['checkout']), /unknown scenario "checkout"/)
  t.throws(() => parseLoadArgs(['sold-out', 'flash-sale']), /name one scenario/)
  t.throws(() => parseLoadArgs(['sold-out', '--duration', '0']), /--duration must be an integer/)
  t.throws(() => parseLoadArgs(['sold-out', '--rate', 'fast']), /--rate/)
  t.throws(() => parseLoadArgs(['sold-out', '--url', 'ftp://x']), /--url must be an http/)
  t.throws(() => parseLoadArgs(['sold-out', '--url', 'nope']), /--url must be an http/)
  t.throws(() => parseLoadArgs(['sold-out', '--bogus']), /Unknown option/)
  t.throws(() => parseLoadArgs(['flash-sale', '--duration', '5', '--open-after', '5']), /--open-after/)
  t.throws(() => parseLoadArgs(['flash-sale', '--stock', '0']), /--stock/)
  t.equal(options(['flash-sale', '--duration', '1']).openAfterS, 0, 'a 1 s run opens at once')
})

t.test('--expect: metrics, operators, refusals', async (t) => {
  const th = parseExpect('p99<200, errors=0,failed==0,rps>=1000,p99.9<=500,status.409>0,5xx!=1')
  t.same(
    th.map((x) => [x.metric, x.op, x.value]),
    [
      ['p99', '<', 200],
      ['errors', '=', 0],
      ['failed', '=', 0],
      ['rps', '>=', 1000],
      ['p99.9', '<=', 500],
      ['status.409', '>', 0],
      ['5xx', '!=', 1],
    ],
  )
  t.same(parseExpect(undefined), [])
  t.same(parseExpect(' '), [])
  t.throws(() => parseExpect('p99 under 200'), /cannot read/)
  t.throws(() => parseExpect('latency<200'), /unknown metric "latency"/)
  t.throws(() => parseExpect('status.99=0'), /unknown metric/)
})

t.test('thresholds: held, missed, and not measured (which fails)', async (t) => {
  const results = evaluateThresholds(parseExpect('p99<200,errors=0,failed=0,rps>100,users_in>=5'), {
    p99: 250,
    errors: 0,
    rps: 100.5,
    failed: null,
  })
  t.same(
    results.map((r) => [r.text, r.actual, r.pass]),
    [
      ['p99<200', 250, false],
      ['errors=0', 0, true],
      ['failed=0', null, false],
      ['rps>100', 100.5, true],
      ['users_in>=5', null, false],
    ],
  )
  t.equal(evaluateThresholds(parseExpect('p50<=10'), { p50: 10 })[0]!.pass, true)
  t.equal(evaluateThresholds(parseExpect('max>10'), { max: Number.NaN })[0]!.pass, false)
})
