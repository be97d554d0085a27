// The pure parts of `npm run bench`: flags, ratios and targets, report rendering, finalizer rates,
// the engine's audit as the report's checks, token windows, counters. No load, no services.
import t from 'tap'
import { DEFAULT_CONNECTIONS, parseBenchArgs, parseInstances } from '../src/bench/args.ts'
import { judgeSale } from '../src/load/audit/judge.ts'
import { audit } from '../src/load/audit/types.ts'
import { checksOf } from '../src/bench/runs/engine.ts'
import { diffCounters, parseCounters } from '../src/bench/readings/counters.ts'
import { commitRates, terminalAfterMs } from '../src/bench/readings/finalizer-rate.ts'
import { cpuUse, hostTicks, processTicks, tcpExtCounter } from '../src/bench/readings/host-stats.ts'
import { tokenWindow } from '../src/load/scenarios/orders-load.ts'
import { offeredRate } from '../src/bench/runs/sold-out-rate.ts'
import { steadyLatencies } from '../src/bench/readings/timeline.ts'
import { Recorder } from '../src/load/engine/recorder.ts'
import { acceptedTracker, saleOver } from '../src/load/scenarios/sale.ts'
import { renderPage } from '../src/load/report/html-page.ts'
import { formatCpu, formatStatuses, table } from '../src/bench/report/format.ts'
import { benchPage } from '../src/bench/report/html.ts'
import { renderMarkdown } from '../src/bench/report/markdown.ts'
import { evaluateTargets, fiveXx, ratio, unexpectedStatuses } from '../src/bench/report/targets.ts'
import type { LoadStats, Report, Results } from '../src/bench/report/types.ts'

const load = (over: Partial<LoadStats>): LoadStats => ({
  connections: 1000,
  durationS: 10,
  responses: 1000,
  rps: 1000,
  p50Ms: 5,
  p90Ms: 8,
  p99Ms: 10,
  maxMs: 50,
  statuses: {},
  errors: 0,
  timeouts: 0,
  ...over,
})

const results = (): Results => ({
  baseline: { name: 'baseline', load: load({ rps: 40_000, statuses: { 409: 400_000 } }), notes: [] },
  'sold-out': {
    name: 'sold-out',
    load: load({ rps: 25_000, p99Ms: 30, responses: 250_000, statuses: { 409: 250_000 } }),
    notes: [],
  },
  'sold-out-rate': {
    name: 'sold-out-rate',
    load: load({ connections: 200, rps: 19_800, p99Ms: 12, responses: 198_000, statuses: { 409: 198_000 } }),
    offeredRate: 20_000,
    notes: [],
  },
  accepted: {
    name: 'accepted',
    load: load({ connections: 100, rps: 6_000, p99Ms: 40, statuses: { 202: 60_000 } }),
    acceptedPerS: 6_000,
    finalizer: {
      completed: 60_000,
      failed: 0,
      drained: true,
      commitsPerS: 2_500,
      drainCommitsPerS: 4_000,
      drainMs: 3_000,
    },
    notes: [],
  },
  'flash-sale': {
    name: 'flash-sale',
    load: load({ rps: 20_000, statuses: { 202: 1000, 409: 199_000 } }),
    acceptedPerS: 4_000,
    sellOutMs: 1_000,
    terminalAfterLoadMs: 1_200,
    terminalSampleMs: 250,
    finalizer: {
      completed: 10_000,
      failed: 0,
      drained: true,
      commitsPerS: 3_000,
      drainCommitsPerS: 3_000,
      drainMs: 1_200,
    },
    checks: [
      { id: 'I1', label: 'no oversell', pass: true, detail: '' },
      { id: 'I6', label: 'no undersell', pass: false, detail: '' },
    ],
    notes: [],
  },
  naive: {
    name: 'naive',
    load: load({ rps: 1_600, statuses: { 201: 1000, 409: 15_000 } }),
    acceptedPerS: 1_600,
    sellOutMs: 2_500,
    notes: [],
  },
  'auth-storm': {
    name: 'auth-storm',
    load: load({
      connections: 400,
      rps: 150,
      p99Ms: 2_400,
      responses: 2_300,
      statuses: { 200: 1000, 201: 1000, 503: 300 },
    }),
    authStorm: {
      users: 1000,
      rate: 100,
      usersIn: 1000,
      gaveUp: 0,
      shed: 300,
      allInAfterMs: 14_000,
      boundMs: 40_000,
      maxAttempts: 20,
      loginsPerS: 71.4,
      hashesPerS: 142.8,
      authCores: 1.4,
      timeInP50Ms: 300,
      timeInP99Ms: 4_000,
      timeInMaxMs: 5_000,
      passwordParams: 'PASSWORD_HASH_MEMORY_KIB=default, PASSWORD_HASH_PASSES=default',
    },
    notes: [],
  },
})

t.test('ratio: null when a side is missing or the reference is 0', async (t) => {
  t.equal(ratio(5, 10), 0.5)
  t.equal(ratio(5, 0), null)
  t.equal(ratio(undefined, 10), null)
  t.equal(ratio(5, null), null)
  t.equal(ratio(Number.NaN, 1), null)
})

t.test('targets are judged from the numbers of one run', async (t) => {
  const targets = evaluateTargets(results())
  const by = (label: string) => {
    const found = targets.find((x) => x.label.startsWith(label))
    if (!found) throw new Error(`no target "${label}"`)
    return found
  }
  t.equal(by('sold-out req/s').measured, '62.5 %')
  t.equal(by('sold-out req/s').pass, true)
  t.equal(by('sold-out at 1000 connections: no 5xx').pass, true)
  t.equal(by('sold-out p99 at 1000 connections (closed loop)').info, true, 'information, not judged')
  t.equal(by('sold-out p99 at 1000 connections (closed loop)').pass, null)
  t.match(
    by('sold-out p99 at 1000 connections').context,
    /Little's law: mean = 1000 connections ÷ 25,000 req\/s = 40 ms/,
  )
  t.notOk(
    targets.some((x) => x.goal === '≤ 20 ms' && x.scenario === 'sold-out'),
    'no p99 target at saturation',
  )
  t.equal(by('sold-out p99 at a fixed 20,000 req/s').goal, '≤ 20 ms')
  t.equal(by('sold-out p99 at a fixed 20,000 req/s').pass, true, '12 ms at 99 % of the offered rate')
  t.equal(by('accepted orders/s').pass, true)
  t.equal(by('accepted p99').pass, true)
  t.equal(by('finalizer commits/s').pass, false, '2,500 < 3,000')
  t.equal(by('finalizer commits/s').measured, '2,500/s')
  t.equal(by('flash sale: answered/s').goal, '≥ 5×')
  t.equal(by('flash sale: answered/s').measured, '12.5×')
  t.equal(by('flash sale: answered/s').pass, true)
  t.equal(by('flash sale: sold out faster').measured, '2.5×', 'sell-out time 2,500 ms ÷ 1,000 ms')
  t.equal(by('flash sale: sold out faster').pass, false)
  t.match(by('flash sale: sold out faster').context, /accepted\/s 4,000 vs 1,600/)
  t.equal(by('flash sale: every order terminal').measured, '1,200 ms')
  t.equal(by('flash sale: every order terminal').pass, true)
  t.equal(by('flash sale invariants').measured, 'FAIL: I6')
  t.equal(by('flash sale invariants').pass, false)
  t.equal(by('auth storm: every user in').pass, true)
  t.equal(by('auth storm: every user in').measured, '1,000 / 1,000 after 14.0 s')
  t.equal(by('auth storm: p99 of every auth answer').pass, true)
  t.match(by('auth storm: p99 of every auth answer').context, /logins\/s 71, per auth-service core 51/)
  t.match(by('auth storm: p99 of every auth answer').context, /hashes served 143\/s = 9\.8 ms of CPU each/)
})

t.test('a p99 at a rate that was not reached, a slow drain, users left out: missed', async (t) => {
  const r = results()
  r['sold-out-rate']!.load = load({ connections: 200, rps: 12_000, p99Ms: 8, statuses: { 409: 120_000 } })
  r['flash-sale']!.terminalAfterLoadMs = 6_000
  r['auth-storm']!.authStorm = { ...r['auth-storm']!.authStorm!, usersIn: 998, allInAfterMs: null }
  r['auth-storm']!.load = load({ p99Ms: 3_500 })
  const targets = evaluateTargets(r)
  const by = (label: string) => targets.find((x) => x.label.startsWith(label))!
  t.equal(by('sold-out p99 at a fixed').pass, false, 'only 60 % of the offered rate: coordinated omission')
  t.equal(by('flash sale: every order terminal').pass, false)
  t.equal(by('auth storm: every user in').pass, false)
  t.equal(by('auth storm: every user in').measured, '998 / 1,000')
  t.equal(by('auth storm: p99').pass, false)
  r['flash-sale']!.terminalAfterLoadMs = null
  r['flash-sale']!.finalizer!.drained = false
  t.equal(
    evaluateTargets(r).find((x) => x.label.startsWith('flash sale: every order'))!.measured,
    'not drained',
  )
  r['flash-sale']!.sellOutMs = null
  const notSold = evaluateTargets(r).find((x) => x.label.startsWith('flash sale: sold out'))!
  t.equal(notSold.pass, null, 'no sell-out time: cannot be judged')
  t.match(notSold.context, /not sold out within the run: ours/)
})

t.test('the bare handler at the same fixed rate is shown next to the sold-out p99', async (t) => {
  const r = results()
  const label = (x: { label: string }) => x.label.startsWith('sold-out p99 at a fixed')
  t.notMatch(evaluateTargets(r).find(label)!.context, /bare handler/, 'not measured: not shown')
  r.baseline!.atRate = { rate: 20_000, load: load({ connections: 200, rps: 20_000, p50Ms: 3, p99Ms: 9 }) }
  t.match(
    evaluateTargets(r).find(label)!.context,
    /the bare handler at the same rate: p99 9\.0 ms, p50 3\.0 ms/,
  )
  r.baseline!.atRate.rate = 15_000
  t.notMatch(evaluateTargets(r).find(label)!.context, /bare handler/, 'another rate: not comparable')
})

t.test('a ratio whose reference did not run is n/a, not a pass or a miss', async (t) => {
  const r = results()
  delete r.baseline
  r.naive = { name: 'naive', notes: [], error: 'boom' }
  const targets = evaluateTargets(r)
  t.equal(targets.find((x) => x.label.startsWith('sold-out req/s'))!.pass, null)
  t.equal(targets.find((x) => x.label.startsWith('flash sale: answered/s'))!.measured, 'n/a')
  t.equal(targets.find((x) => x.label.startsWith('flash sale: sold out'))!.measured, 'n/a')
})

t.test('a 5xx, an error or a timeout among sold-out answers misses the no-5xx target', async (t) => {
  const r = results()
  r['sold-out']!.load = load({ responses: 1000, statuses: { 409: 990, 503: 10 } })
  const by = () => evaluateTargets(r).find((x) => x.label.includes('no 5xx'))!
  t.equal(by().pass, false)
  t.equal(by().measured, '10 × 5xx, 0 errors (0 timeouts)')
  r['sold-out']!.load = load({ responses: 1000, statuses: { 409: 1000 }, errors: 3, timeouts: 3 })
  t.equal(by().pass, false, 'a request without an answer counts too')
  t.equal(by().measured, '0 × 5xx, 3 errors (3 timeouts)')
  t.equal(fiveXx({ 409: 5, 500: 1, 503: 2 }), 3)
  t.same(unexpectedStatuses(load({ statuses: { 409: 990, 503: 10 }, errors: 2 }), [409]), {
    503: 10,
    errors: 2,
  })
})

t.test('the offered rate: --rate, else half the baseline', async (t) => {
  t.equal(offeredRate(undefined, 34_201), 17_101)
  t.equal(offeredRate(5_000, 34_201), 5_000)
  t.equal(offeredRate(undefined, undefined), undefined)
  t.equal(offeredRate(undefined, 0), undefined)
})

t.test('every order terminal: from the end of the load until nothing is pending', async (t) => {
  const at = (atMs: number, completed: number, pending: number) => ({ atMs, completed, failed: 0, pending })
  const samples = [
    at(0, 0, 0),
    at(250, 0, 500),
    at(500, 400, 600),
    at(750, 900, 100),
    at(1000, 1000, 0),
    at(1250, 1000, 0),
  ]
  t.equal(terminalAfterMs(samples, 600), 400, 'first sample of the final, nothing-pending state')
  t.equal(terminalAfterMs(samples, 2000), 0, 'already terminal when the load ended')
  t.equal(terminalAfterMs(samples.slice(0, 4), 600), null, 'still pending: not drained')
  t.equal(terminalAfterMs([], 0), null)
  // Pending went to 0 and orders came again: the later time counts.
  const again = [at(0, 10, 0), at(250, 10, 5), at(500, 15, 0)]
  t.equal(terminalAfterMs(again, 0), 500)
})

t.test('tables are padded Markdown', async (t) => {
  t.equal(table(['a', 'bb'], [['xyz', '1']]), '| a   | bb |\n| --- | --- |\n| xyz | 1 |')
  t.equal(formatStatuses({ 503: 2, 409: 1000 }, 3), '409×1,000 503×2 errors×3')
  t.equal(formatStatuses({}), '—')
})

t.test('the Markdown report carries the numbers, verdicts, checks and problems', async (t) => {
  const r = results()
  r['sold-out']!.counters = { 'order_intake_total{outcome="sold_out_local"}': 240_000 }
  const report: Report = {
    date: '2026-11-25T10:00:00.000Z',
    command: 'npm run bench -- --duration 10',
    machine: { cpus: 2, cpuModel: 'test cpu', memoryGiB: 24, node: 'v24.21.0', platform: 'linux' },
    options: { duration_s: 10 },
    results: r,
    targets: evaluateTargets(r),
    problems: ['order-service logged 3 warning/error lines during accepted'],
    serviceLog: [{ label: 'order-service', scenario: 'accepted', line: '{"level":50}' }],
  }
  const md = renderMarkdown(report)
  t.match(md, /2 cores \(test cpu\)/)
  t.match(md, /\| sold-out\s+\| 1000\s+\| 25,000 \|/)
  t.match(
    md,
    /\| finalizer commits\/s during load \(first → last commit\)\s+\| ≥ 3,000\/s\s+\| 2,500\/s\s+\| MISSED \|/,
  )
  t.match(md, /flash-sale I6 FAIL/)
  t.match(
    md,
    /\| sold-out p99 at a fixed 20,000 req\/s \(½ bare handler\)\s+\| ≤ 20 ms\s+\| 12\.0 ms\s+\| MET/,
  )
  t.match(md, /\| sold-out p99 at 1000 connections \(closed loop\)\s+\| —\s+\| 30 ms\s+\| info/)
  t.match(md, /\| auth storm: every user in/)
  t.match(md, /`order_intake_total\{outcome="sold_out_local"\}` \+240,000/)
  t.match(md, /- order-service logged 3 warning\/error lines during accepted/)
  t.match(md, /\[accepted\] order-service \| \{"level":50\}/)
  const clean = renderMarkdown({ ...report, problems: [], serviceLog: [] })
  t.match(clean, /- none: no 5xx/)
})

t.test('finalizer rates: first → last commit, and the backlog after the load', async (t) => {
  const s = (atMs: number, completed: number, pending = 0) => ({ atMs, completed, failed: 0, pending })
  const samples = [
    s(0, 0),
    s(250, 0),
    s(500, 500),
    s(1000, 1500),
    s(1250, 2000),
    s(1500, 2500),
    s(1750, 2500),
  ]
  const r = commitRates(samples, 1000)
  // From the last sample without a commit (250 ms) to the first at the final count (1,500 ms).
  t.equal(r.commitsPerS, 2000)
  t.equal(r.drainMs, 500)
  t.equal(r.drainCommitsPerS, 2000, '1,000 more in the 500 ms after the load')
  t.same(commitRates([s(0, 0)], 0), { commitsPerS: null, drainCommitsPerS: null, drainMs: null })
  t.same(commitRates([s(0, 7), s(250, 7)], 0).commitsPerS, null, 'nothing committed')
  t.equal(commitRates([s(0, 0), s(250, 100)], 1000).drainMs, 0, 'all done during the load')
})

t.test("the report's checks are the engine's audit plus inventory-service's stock-state", async (t) => {
  const facts = {
    supplied: 1000,
    accepted: 1000,
    inFlightAtStop: 50,
    orders: { total: 1000, pending: 0, completed: 1000, failed: 0, completedUnits: 1000 },
    available: 0,
    soldOut: true,
  }
  const finding = (invariant: 'I1' | 'I2' | 'I4', ok: boolean) => ({
    product_id: 7,
    invariant,
    ok,
    detail: '',
  })
  const outcome = (over: Partial<typeof facts>, findings = [finding('I1', true), finding('I4', true)]) => ({
    run: new Recorder(0).finish(1000),
    metrics: {},
    audit: audit(judgeSale({ ...facts, ...over }), { reachable: true, detail: '', findings }),
    setup: {},
    notes: [],
  })
  t.same(
    checksOf(outcome({})).map((c) => [c.id, c.pass]),
    [
      ['I1', true],
      ['I3', true],
      ['I2', true],
      ['I6', true],
      ['I6-sold', true],
      ['I1-stock-state', true],
      ['I4', true],
    ],
  )
  const leak = checksOf(outcome({ available: 9, soldOut: false }, [finding('I4', false)]))
  t.same(
    leak.map((c) => [c.id, c.pass]),
    [
      ['I1', true],
      ['I3', true],
      ['I2', false],
      ['I6', true],
      ['I4', false],
    ],
    'not sold out within the run: no "every unit sold"; a leak between Redis and MySQL fails I4',
  )
  t.match(leak.at(-1)!.label, /Redis = MySQL/)
})

t.test('flags', async (t) => {
  const parsed = parseBenchArgs([
    '--duration',
    '5',
    '--only',
    'naive,sold-out',
    '--instances',
    'order-service=2',
  ])
  if (parsed.help) throw new Error('unexpected help')
  t.equal(parsed.options.durationS, 5)
  t.same(parsed.options.scenarios, ['sold-out', 'naive'], 'canonical order')
  t.equal(parsed.options.instances['order-service'], 2)
  t.equal(parsed.options.instances['inventory-service'], 1)
  t.equal(parsed.options.connections, undefined)
  t.equal(parsed.options.warmupS, 2)
  t.equal(DEFAULT_CONNECTIONS['sold-out'], 1000)
  t.equal(DEFAULT_CONNECTIONS['sold-out-rate'], 200)
  t.equal(parsed.options.stormUsers, 1000)
  t.equal(parsed.options.stormRate, 100)
  t.equal(parsed.options.rate, undefined)
  t.throws(() => parseBenchArgs(['--only', 'sold-out-rate']), /needs baseline/)
  t.doesNotThrow(() => parseBenchArgs(['--only', 'sold-out-rate', '--rate', '5000']))
  t.doesNotThrow(() => parseBenchArgs(['--only', 'baseline,sold-out-rate']))
  const storm = parseBenchArgs(['--only', 'auth-storm', '--storm-users', '50', '--storm-rate', '25'])
  if (storm.help) throw new Error('unexpected help')
  t.same([storm.options.stormUsers, storm.options.stormRate], [50, 25])
  t.same(parseInstances('3')['order-finalizer'], 3)
  t.throws(() => parseBenchArgs(['--only', 'nope']), /unknown scenario/)
  t.throws(() => parseBenchArgs(['--duration', '0']), /--duration/)
  t.throws(() => parseInstances('web=2'), /unknown service/)
  t.same(parseBenchArgs(['--help']), { help: true })
  t.equal(parsed.options.openAfterS, 2)
  t.throws(() => parseBenchArgs(['--duration', '2', '--open-after', '2']), /--open-after/)
  const short = parseBenchArgs(['--duration', '2'])
  if (short.help) throw new Error('unexpected help')
  t.equal(short.options.openAfterS, 1, 'the default opening is at most half the run')
  t.doesNotThrow(() => parseBenchArgs(['--duration', '2', '--open-after', '5', '--only', 'sold-out']))
  const env = parseBenchArgs(['--env', 'SOLD_OUT_CACHE_MS=5000', '--env', 'X_Y=a=b'])
  if (env.help) throw new Error('unexpected help')
  t.same(env.options.serviceEnv, { SOLD_OUT_CACHE_MS: '5000', X_Y: 'a=b' })
  t.throws(() => parseBenchArgs(['--env', 'lower=1']), /KEY=VALUE/)
  const zero = parseBenchArgs(['--warmup', '0', '--open-after', '0', '--via-gateway'])
  if (zero.help) throw new Error('unexpected help')
  t.equal(zero.options.warmupS, 0)
  t.equal(zero.options.openAfterS, 0)
  t.equal(zero.options.viaGateway, true)
})

t.test('token windows cover every buyer', async (t) => {
  const tokens = Array.from({ length: 200 }, (_, i) => `t${i}`)
  for (const connections of [100, 1000, 7]) {
    const used = new Set<string>()
    for (let k = 0; k < connections; k++) for (const tok of tokenWindow(tokens, k, connections)) used.add(tok)
    t.equal(used.size, connections === 7 ? 7 * 20 : 200, `${connections} connections`)
  }
  t.same(tokenWindow(['a', 'b'], 1, 2), ['b', 'a'])
})

t.test('counters: parsed per series, summed, diffed', async (t) => {
  const text = [
    '# HELP order_intake_total outcomes',
    '# TYPE order_intake_total counter',
    'order_intake_total{outcome="accepted"} 10',
    'order_intake_total{outcome="sold_out_local"} 5',
    'http_requests_total{route="/"} 99',
  ].join('\n')
  const before = parseCounters(text, ['order_intake_total'])
  t.equal(before.size, 2)
  const after = new Map(before)
  after.set('order_intake_total{outcome="accepted"}', 25)
  t.same(diffCounters(before, after), { 'order_intake_total{outcome="accepted"}': 15 })
})

t.test('TcpExt counters from /proc/net/netstat text', async (t) => {
  const netstat = 'TcpExt: SyncookiesSent ListenOverflows\nTcpExt: 0 42\nIpExt: InNoRoutes\nIpExt: 0\n'
  t.equal(tcpExtCounter(netstat, 'ListenOverflows'), 42)
  t.equal(tcpExtCounter(netstat, 'Nope'), undefined)
})

t.test('CPU: host and per-process cores from /proc ticks', async (t) => {
  t.same(hostTicks('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n'), { busy: 150, total: 1000 })
  t.equal(processTicks('42 (node my (app)) S 1 2 3 0 -1 4 5 6 7 8 120 30 0 0 20'), 150)
  const a = { atMs: 0, hostBusy: 0, hostTotal: 0, procs: { 'order-service': 0, redis: 10 } }
  const b = { atMs: 2000, hostBusy: 380, hostTotal: 400, procs: { 'order-service': 180, redis: 50, gone: 5 } }
  const use = cpuUse(a, b)!
  t.equal(use.host, 1.9)
  t.same(use.procs, { 'order-service': 0.9, redis: 0.2 })
  t.equal(Number(use.other.toFixed(2)), 0.8)
  t.equal(cpuUse(b, b), undefined)
})

t.test('the steady p99 leaves out the first second (connections opening), and CPU lines', async (t) => {
  const steady = steadyLatencies()
  steady.start(1000)
  t.equal(steady.p99(), undefined, 'nothing recorded yet')
  steady.record(1500, 900)
  for (let i = 1; i <= 100; i++) steady.record(2000 + i, i)
  t.equal(
    Math.round(steady.p99()!),
    99,
    'the 900 ms answer of the first second is not counted (HDR: 3 digits)',
  )
  t.equal(
    formatCpu({ host: 1.9, procs: { redis: 0.2, 'order-service': 0.9, idle: 0 }, other: 0.8 }),
    'host busy 1.90 — order-service 0.90, redis 0.20, other processes 0.80',
  )
})

t.test(
  'the bench report.html: a section per scenario with charts, the targets, self-contained',
  async (t) => {
    const r = results()
    const recorder = new Recorder(0)
    for (let i = 0; i < 100; i++) recorder.record(409, 5, i * 10)
    const run = recorder.finish(1000)
    r['sold-out']!.load!.hdr = { latency: run.latency, distribution: run.distribution, series: run.series }
    const report: Report = {
      date: '2026-12-01T10:00:00.000Z',
      command: 'npm run bench',
      machine: { cpus: 2, cpuModel: 'test cpu', memoryGiB: 24, node: 'v24.21.0', platform: 'linux' },
      options: { duration_s: 10 },
      results: r,
      targets: evaluateTargets(r),
      problems: [],
      serviceLog: [],
    }
    const html = renderPage(benchPage(report), { js: '', css: '' })
    t.match(html, /<h2>sold-out<\/h2>/)
    t.match(html, /<h2>naive<\/h2>/)
    t.match(html, /<h2>sold-out-rate<\/h2>/)
    t.match(html, /<h2>auth-storm<\/h2>/)
    t.match(html, /auth storm: every user in/)
    t.match(html, />info</, 'the closed-loop p99 is shown as information')
    t.equal(html.match(/data-kind="throughput"/g)?.length, 1, 'charts where HDR series were recorded')
    t.match(html, /flash sale invariants/)
    t.match(html, /correctness checks FAILED/, 'the flash sale fixture fails I6')
    t.notMatch(html, /<script[^>]+src=/)
  },
)

t.test('a flash sale runs --duration, then until sold out (+1 s), at most --sale-max', async (t) => {
  const at = (elapsedMs: number, soldOutAtMs?: number) =>
    saleOver({ elapsedMs, minMs: 10_000, maxMs: 60_000, soldOutAtMs })
  t.equal(at(5_000, 3_000), false, 'never before --duration')
  t.equal(at(10_000, 3_000), true, 'sold out long ago: at --duration')
  t.equal(at(10_000), false, 'not sold out: goes on')
  t.equal(at(20_500, 20_000), false, 'a second of refusals after the sell-out')
  t.equal(at(21_000, 20_000), true)
  t.equal(at(60_000), true, 'the cap')
  const flags = parseBenchArgs(['--duration', '90'])
  if (flags.help) throw new Error('unexpected help')
  t.equal(flags.options.saleMaxS, 90, 'never shorter than --duration')
})

t.test('sold out when every unit was accepted, not at the first 409', async (t) => {
  const tracker = acceptedTracker(3)
  tracker.onResponse(409, 150)
  tracker.onResponse(202, 200)
  tracker.onResponse(202, 210)
  t.equal(tracker.state.soldOut, false, 'a 409 from a stale mark after the opening is not a sell-out')
  tracker.onResponse(202, 300)
  tracker.onResponse(409, 310)
  t.equal(tracker.state.soldOut, true)
  t.equal(tracker.state.soldOutAtMs, 300)
  t.equal(tracker.state.accepted, 3)
})
