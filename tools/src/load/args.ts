// Flags of `npm run load -- <scenario> [options]` (node:util parseArgs), validated into LoadOptions.
import { parseArgs } from 'node:util'
import { parseStages, type Stage, stagesDurationS } from './engine/stages.ts'
import { parseExpect, type Threshold } from './expect.ts'

export const SCENARIOS = ['flash-sale', 'sold-out', 'accepted', 'steady-shop', 'auth-storm'] as const
export type ScenarioName = (typeof SCENARIOS)[number]

export const MIX_KINDS = ['browse', 'product', 'order', 'status', 'me'] as const
export type MixKind = (typeof MIX_KINDS)[number]

export interface LoadOptions {
  scenario: ScenarioName
  url: string
  /**
   * Where the order load (POST /api/orders) goes, default [url]; several: the connections are spread
   * over them. Another implementation of the order path on the same accounts and database (a
   * reference server) or the instances of order-service; set-up, drain and audit stay on --url.
   */
  ordersUrls: string[]
  /** Where the audit reads the product's available stock (default --url): a design keeping its own. */
  stockUrl: string
  /** inventory-service's own address, for the internal audit (never routed by the gateway). */
  inventoryUrl: string
  durationS: number
  /** Closed loop: this many connections, each waiting for its answer. */
  connections: number
  /** Open loop: requests (auth-storm: users) per second across all connections; undefined = as fast as possible. */
  rate: number | undefined
  /** Offered rates over time (--stages) instead of one --rate; --duration is then their sum. */
  stages: Stage[] | undefined
  buyers: number
  stock: number
  products: number
  mix: Record<MixKind, number>
  openAfterS: number
  /** flash-sale: the units go on sale by a schedule (sale_starts_at) or by an admin restock. */
  openBy: 'schedule' | 'restock'
  /** flash-sale: the load goes on past --duration until sold out (plus 1 s), at most this long (s). */
  saleMaxS: number
  /** Seconds of discarded load before the measured one (JIT, pools, caches); 0: none. */
  warmupS: number
  /** flash-sale: the share of accepted orders whose buyer pays (signed webhook); undefined = no payer. */
  pay: number | undefined
  /** flash-sale: the product's own payment window (s); undefined = the deployment's. */
  paymentWindowS: number | undefined
  drainTimeoutS: number
  timeoutS: number
  outDir: string | undefined
  adminEmail: string | undefined
  adminPassword: string | undefined
  /** For inventory-service's internal stock audit (SERVICE_TOKEN; else tmp/dev-keys/service-token). */
  serviceToken: string | undefined
  buyersFile: string | undefined
  expect: Threshold[]
  quiet: boolean
}

/** Per scenario: what a load tester gets without flags (see docs/load-testing.md). */
export const DEFAULTS: Record<
  ScenarioName,
  { durationS: number; connections: number; rate?: number; buyers: number; stock: number }
> = {
  'flash-sale': { durationS: 10, connections: 200, buyers: 200, stock: 10_000 },
  'sold-out': { durationS: 10, connections: 200, buyers: 50, stock: 0 },
  // Stock no run can sell out and no per-user limit: every order is accepted (202).
  accepted: { durationS: 10, connections: 100, buyers: 200, stock: 10_000_000 },
  'steady-shop': { durationS: 20, connections: 50, rate: 500, buyers: 100, stock: 1_000_000 },
  // 10 users/s is 20 password hashes/s (register + login), half what argon2id at OWASP's parameters
  // allows on the 2-core local stack (~42/s): a default that passes there. Larger rates: see docs.
  'auth-storm': { durationS: 10, connections: 100, rate: 10, buyers: 100, stock: 0 },
}

export const DEFAULT_MIX: Record<MixKind, number> = { browse: 40, product: 25, order: 15, status: 10, me: 10 }

function int(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${name} must be an integer ${min}…${max}`)
  return n
}

/** The most `--payment-window` may be: what inventory-service accepts for a product (6 h). */
export const MAX_PAYMENT_WINDOW_S = 21_600

function ratio(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new Error(`--${name} must be a share 0…1 (e.g. 0.7)`)
  return n
}

function url(name: string, value: string): string {
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    throw new Error(`--${name} must be an http(s) URL (got "${value}")`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new Error(`--${name} must be an http(s) URL (got "${value}")`)
  return value.replace(/\/+$/, '')
}

export function parseMix(spec: string | undefined): Record<MixKind, number> {
  if (spec === undefined) return { ...DEFAULT_MIX }
  const mix = Object.fromEntries(MIX_KINDS.map((k) => [k, 0])) as Record<MixKind, number>
  for (const part of spec.split(',')) {
    const [kind, weight] = part.split('=').map((s) => s.trim())
    if (!MIX_KINDS.includes(kind as MixKind))
      throw new Error(`--mix: unknown request kind "${kind}" (one of ${MIX_KINDS.join(', ')})`)
    mix[kind as MixKind] = int('mix', weight, 0, 0, 1000)
  }
  if (Object.values(mix).every((w) => w === 0)) throw new Error('--mix needs at least one weight above 0')
  return mix
}

export type Parsed = { help: true } | { help: false; options: LoadOptions }

/** argv without node and the script; `env` supplies ADMIN_EMAIL / ADMIN_PASSWORD. */
export function parseLoadArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): Parsed {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      'orders-url': { type: 'string' },
      'stock-url': { type: 'string' },
      'inventory-url': { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      rate: { type: 'string' },
      stages: { type: 'string' },
      buyers: { type: 'string' },
      stock: { type: 'string' },
      products: { type: 'string' },
      mix: { type: 'string' },
      'open-after': { type: 'string' },
      'open-by': { type: 'string' },
      'sale-max': { type: 'string' },
      warmup: { type: 'string' },
      pay: { type: 'string' },
      'payment-window': { type: 'string' },
      'drain-timeout': { type: 'string' },
      timeout: { type: 'string' },
      out: { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-password': { type: 'string' },
      'buyers-file': { type: 'string' },
      expect: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) return { help: true }
  if (positionals.length !== 1)
    throw new Error(
      `name one scenario (${SCENARIOS.join(', ')})${positionals.length ? `, got ${positionals.join(' ')}` : ''}`,
    )
  const scenario = positionals[0] as ScenarioName
  if (!SCENARIOS.includes(scenario))
    throw new Error(`unknown scenario "${scenario}" (one of ${SCENARIOS.join(', ')})`)
  const d = DEFAULTS[scenario]
  const stages = values.stages === undefined ? undefined : parseStages(values.stages)
  if (stages && (values.rate !== undefined || values.duration !== undefined))
    throw new Error('--stages sets the rate and the duration: give it without --rate and --duration')
  const durationS = stages
    ? Math.ceil(stagesDurationS(stages))
    : int('duration', values.duration, d.durationS, 1, 3600)
  const rate = stages
    ? undefined
    : values.rate === undefined
      ? d.rate
      : int('rate', values.rate, 0, 1, 1_000_000)
  const base = url('url', values.url ?? 'http://127.0.0.1:8080')
  const openBy = values['open-by'] ?? 'schedule'
  if (openBy !== 'schedule' && openBy !== 'restock')
    throw new Error(`--open-by must be schedule or restock (got "${openBy}")`)
  const options: LoadOptions = {
    scenario,
    url: base,
    ordersUrls: values['orders-url']?.split(',').map((u) => url('orders-url', u.trim())) ?? [base],
    stockUrl: values['stock-url'] === undefined ? base : url('stock-url', values['stock-url']),
    inventoryUrl: url('inventory-url', values['inventory-url'] ?? 'http://127.0.0.1:3002'),
    durationS,
    connections: int('connections', values.connections, d.connections, 1, 10_000),
    rate,
    stages,
    buyers: int('buyers', values.buyers, d.buyers, 1, 100_000),
    stock: int('stock', values.stock, d.stock, d.stock > 0 ? 1 : 0, 1_000_000_000),
    products: int('products', values.products, 20, 1, 1000),
    mix: parseMix(values.mix),
    openAfterS: int('open-after', values['open-after'], Math.min(1, durationS - 1), 0, 3600),
    openBy,
    saleMaxS: Math.max(durationS, int('sale-max', values['sale-max'], durationS, 1, 3600)),
    warmupS: int('warmup', values.warmup, 0, 0, 600),
    pay: ratio('pay', values.pay),
    paymentWindowS:
      values['payment-window'] === undefined
        ? undefined
        : int('payment-window', values['payment-window'], 0, 0, MAX_PAYMENT_WINDOW_S),
    drainTimeoutS: int('drain-timeout', values['drain-timeout'], 60, 1, 3600),
    timeoutS: int('timeout', values.timeout, 10, 1, 600),
    outDir: values.out,
    adminEmail: values['admin-email'] ?? env.ADMIN_EMAIL ?? 'admin@example.com',
    adminPassword: values['admin-password'] ?? env.ADMIN_PASSWORD ?? 'admin-password-change-me',
    serviceToken: env.SERVICE_TOKEN,
    buyersFile: values['buyers-file'],
    expect: parseExpect(values.expect),
    quiet: values.quiet,
  }
  if (scenario !== 'flash-sale' && (options.pay !== undefined || options.paymentWindowS !== undefined))
    throw new Error('--pay and --payment-window belong to flash-sale')
  if (options.pay !== undefined && options.paymentWindowS === 0)
    throw new Error('--pay needs a payment window: --payment-window 0 completes every order at commit')
  if (scenario === 'flash-sale' && options.openAfterS >= durationS)
    throw new Error('--open-after must be shorter than --duration')
  return { help: false, options }
}
