// Command-line flags of `npm run bench -- …`.
import { parseArgs } from 'node:util'
import { SERVICES, type ServiceName } from '@flash/routes'
import { SCENARIOS, type ScenarioName } from './report/types.ts'

export interface BenchOptions {
  durationS: number
  /** Overrides every scenario's default connection count when set. */
  connections: number | undefined
  scenarios: ScenarioName[]
  instances: Record<ServiceName, number>
  viaGateway: boolean
  buyers: number
  drainTimeoutS: number
  /** Seconds of discarded load before each measured run (0: none). */
  warmupS: number
  /** Flash sales: seconds into the load at which the stock is made available (0: before the load). */
  openAfterS: number
  /** Flash sales: the load goes on past --duration until sold out, at most this long (s). */
  saleMaxS: number
  /** Extra environment for every service (`--env KEY=VALUE`, repeatable): experiments, recorded in the report. */
  serviceEnv: Record<string, string>
  outDir: string
  /** sold-out-rate: fixed offered req/s; undefined = half the same run's baseline req/s. */
  rate: number | undefined
  /** auth-storm: users who register and log in, and their arrivals per second. */
  stormUsers: number
  stormRate: number
}

/** Connections per scenario unless `--connections` says otherwise (see docs/benchmarks.md for why). */
export const DEFAULT_CONNECTIONS: Record<ScenarioName, number> = {
  baseline: 1000,
  'sold-out': 1000,
  // Enough connections that half the bare handler's rate is reachable at a few ms per answer.
  'sold-out-rate': 200,
  accepted: 100,
  'flash-sale': 1000,
  naive: 1000,
  // The storm's keep-alive pool: at 100 arrivals/s and ≤ 3 s per answer, well above what is in flight.
  'auth-storm': 400,
}

export const USAGE = `npm run bench -- [options]

  --duration <s>        seconds of load per scenario (default 10)
  --connections <n>     connections for every scenario (default: baseline/sold-out/flash-sale/naive
                        1000, sold-out-rate 200, accepted 100, auth-storm 400 pooled)
  --only <list>         comma-separated scenarios: ${SCENARIOS.join(', ')}
  --instances <spec>    instances per service: a number for all (default 1), or
                        service=n,… (e.g. order-service=2,inventory-service=2)
  --buyers <n>          registered buyers whose tokens rotate per request (default 200)
  --drain-timeout <s>   how long to wait for the finalizer to drain the queue (default 180)
  --warmup <s>          discarded load before each measured run, 0 for none (default 2)
  --open-after <s>      flash-sale/naive: the hot product's 10,000 units go on sale this many seconds
                        into the load, once every connection is open: by a schedule (sale_starts_at;
                        the naive design, which has none, by a restock) (default 2, at most half of
                        --duration; 0: on sale before the load)
  --rate <n>            sold-out-rate: offered req/s (default: half the baseline's req/s of the run)
  --storm-users <n>     auth-storm: users who register and log in (default 1000)
  --storm-rate <n>      auth-storm: user arrivals per second (default 100)
  --sale-max <s>        flash-sale/naive: run past --duration until the units are sold out (plus 1 s),
                        at most this long (default 60)
  --via-gateway         send the load through the dev gateway instead of straight to the services
  --env KEY=VALUE       extra environment for every service, repeatable (recorded in the report),
                        e.g. --env SOLD_OUT_CACHE_MS=5000
  --out <dir>           where report.json and report.md go (default tmp/bench)
  --help
`

function positiveInt(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name} must be an integer 1…${max}`)
  return n
}

export function parseInstances(spec: string | undefined): Record<ServiceName, number> {
  const counts = Object.fromEntries(SERVICES.map((s) => [s, 1])) as Record<ServiceName, number>
  if (spec === undefined) return counts
  if (/^\d+$/.test(spec)) {
    const n = positiveInt('instances', spec, 1, 8)
    for (const s of SERVICES) counts[s] = n
    return counts
  }
  for (const part of spec.split(',')) {
    const [service, n] = part.split('=')
    if (!SERVICES.includes(service as ServiceName)) {
      throw new Error(`--instances: unknown service "${service}" (one of ${SERVICES.join(', ')})`)
    }
    counts[service as ServiceName] = positiveInt('instances', n, 1, 8)
  }
  return counts
}

export function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {}
  for (const pair of pairs) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/s.exec(pair)
    if (!match) throw new Error(`--env wants KEY=VALUE (got "${pair}")`)
    env[match[1]!] = match[2]!
  }
  return env
}

export function parseScenarios(list: string | undefined): ScenarioName[] {
  if (list === undefined) return [...SCENARIOS]
  const wanted = list.split(',').map((s) => s.trim())
  for (const s of wanted) {
    if (!SCENARIOS.includes(s as ScenarioName)) {
      throw new Error(`--only: unknown scenario "${s}" (one of ${SCENARIOS.join(', ')})`)
    }
  }
  // Always in the canonical order: ratios need their reference measured in the same run.
  return SCENARIOS.filter((s) => wanted.includes(s))
}

/** Parses argv (without node and the script); `help: true` when the usage should be printed. */
export function parseBenchArgs(
  argv: readonly string[],
): { help: true } | { help: false; options: BenchOptions } {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      duration: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      instances: { type: 'string' },
      buyers: { type: 'string' },
      'drain-timeout': { type: 'string' },
      warmup: { type: 'string' },
      'open-after': { type: 'string' },
      'via-gateway': { type: 'boolean', default: false },
      env: { type: 'string', multiple: true },
      out: { type: 'string' },
      rate: { type: 'string' },
      'sale-max': { type: 'string' },
      'storm-users': { type: 'string' },
      'storm-rate': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) return { help: true }
  const options: BenchOptions = {
    durationS: positiveInt('duration', values.duration, 10, 3600),
    connections:
      values.connections === undefined
        ? undefined
        : positiveInt('connections', values.connections, 1, 10_000),
    scenarios: parseScenarios(values.only),
    instances: parseInstances(values.instances),
    viaGateway: values['via-gateway'],
    buyers: positiveInt('buyers', values.buyers, 200, 5000),
    drainTimeoutS: positiveInt('drain-timeout', values['drain-timeout'], 180, 3600),
    warmupS: values.warmup === '0' ? 0 : positiveInt('warmup', values.warmup, 2, 60),
    serviceEnv: parseEnv(values.env ?? []),
    saleMaxS: positiveInt('sale-max', values['sale-max'], 60, 3600),
    openAfterS: 0,
    outDir: values.out ?? 'tmp/bench',
    rate: values.rate === undefined ? undefined : positiveInt('rate', values.rate, 1, 1_000_000),
    stormUsers: positiveInt('storm-users', values['storm-users'], 1000, 100_000),
    stormRate: positiveInt('storm-rate', values['storm-rate'], 100, 10_000),
  }
  const given = values['open-after']
  // Default 2 s, but at most half the run so a short run still has a sale in it.
  options.openAfterS =
    given === undefined
      ? Math.min(2, Math.floor(options.durationS / 2))
      : given === '0'
        ? 0
        : positiveInt('open-after', given, 2, 3600)
  const sale = options.scenarios.includes('flash-sale') || options.scenarios.includes('naive')
  if (sale && options.openAfterS >= options.durationS)
    throw new Error('--open-after must be shorter than --duration')
  options.saleMaxS = Math.max(options.saleMaxS, options.durationS)
  // The offered rate is derived from the bare handler's throughput measured in the same run.
  if (options.scenarios.includes('sold-out-rate') && !options.scenarios.includes('baseline') && !options.rate)
    throw new Error(
      'sold-out-rate needs baseline in the same run (its rate is half the baseline req/s) or --rate',
    )
  return { help: false, options }
}

export const connectionsFor = (options: BenchOptions, scenario: ScenarioName) =>
  options.connections ?? DEFAULT_CONNECTIONS[scenario]
