// The pure parts of `npm run bench`: flags, ratios and targets, report rendering, finalizer rates,
// invariant checks, token windows, counters. No load, no services.
import t from 'tap'
import { DEFAULT_CONNECTIONS, parseBenchArgs, parseInstances } from '../src/bench/args.ts'
import { saleChecks } from '../src/bench/checks.ts'
import { diffCounters, parseCounters } from '../src/bench/counters.ts'
import { commitRates } from '../src/bench/finalizer-rate.ts'
import { cpuUse, hostTicks, processTicks, tcpExtCounter } from '../src/bench/host-stats.ts'
import { tokenWindow } from '../src/bench/load.ts'
import { percentile } from '../src/bench/timeline.ts'
import { Recorder } from '../src/load/recorder.ts'
import { renderPage } from '../src/load/report/html-page.ts'
import { formatCpu, formatStatuses, table } from '../src/bench/report/format.ts'
import { benchPage } from '../src/bench/report/html.ts'
import { renderMarkdown } from '../src/bench/report/markdown.ts'
import { evaluateTargets, ratio, unexpectedStatuses } from '../src/bench/report/targets.ts'
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
  const by = (label: string) => targets.find((x) => x.label.startsWith(label))!
  t.equal(by('sold-out req/s').measured, '62.5 %')
  t.equal(by('sold-out req/s').pass, true)
  t.equal(by('sold-out p99').pass, false, '30 ms > 20 ms')
  t.equal(by('sold-out answers').pass, true)
  t.equal(by('accepted orders/s').pass, true)
  t.equal(by('accepted p99').pass, true)
  t.equal(by('finalizer commits/s').pass, false, '2,500 < 3,000')
  t.equal(by('finalizer commits/s').measured, '2,500/s')
  t.equal(by('flash sale: answered/s').measured, '12.5×')
  t.equal(by('flash sale: answered/s').pass, true)
  t.equal(by('flash sale: accepted/s').measured, '2.5×')
  t.equal(by('flash sale: accepted/s').pass, false)
  t.equal(by('flash sale invariants').measured, 'FAIL: I6')
  t.equal(by('flash sale invariants').pass, false)
})

t.test('a ratio whose reference did not run is n/a, not a pass or a miss', async (t) => {
  const r = results()
  delete r.baseline
  r.naive = { name: 'naive', notes: [], error: 'boom' }
  const targets = evaluateTargets(r)
  t.equal(targets.find((x) => x.label.startsWith('sold-out req/s'))!.pass, null)
  t.equal(targets.find((x) => x.label.startsWith('flash sale: answered/s'))!.measured, 'n/a')
})

t.test('a 5xx among sold-out answers misses the all-409 target', async (t) => {
  const r = results()
  r['sold-out']!.load = load({ responses: 1000, statuses: { 409: 990, 503: 10 } })
  const target = evaluateTargets(r).find((x) => x.label.startsWith('sold-out answers'))!
  t.equal(target.pass, false)
  t.equal(target.measured, '990 / 1,000')
  t.same(unexpectedStatuses(load({ statuses: { 409: 990, 503: 10 }, errors: 2 }), [409]), {
    503: 10,
    errors: 2,
  })
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
  t.match(md, /\| finalizer commits\/s \(first → last commit\)\s+\| ≥ 3,000\/s \| 2,500\/s\s+\| MISSED \|/)
  t.match(md, /flash-sale I6 FAIL/)
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

t.test('sale checks: I1 I2 I3 I4 I6', async (t) => {
  const good = saleChecks({
    initialStock: 1000,
    accepted: 1000,
    inFlightAtStop: 50,
    product: { stock: 0, supplied: 1000 },
    orders: { pending: 0, completed: 1000, failed: 0, completedQuantity: 1000 },
    inventoryStock: 0,
  })
  t.same(
    good.map((c) => [c.id, c.pass]),
    [
      ['I1', true],
      ['I2', true],
      ['I3', true],
      ['I4', true],
      ['I6', true],
    ],
  )
  const bad = saleChecks({
    initialStock: 1000,
    accepted: 990,
    inFlightAtStop: 5,
    product: { stock: 10, supplied: 1000 },
    orders: { pending: 0, completed: 985, failed: 5, completedQuantity: 985 },
  })
  t.same(
    bad.map((c) => [c.id, c.pass]),
    [
      ['I1', true],
      ['I2', false],
      ['I3', true],
      ['I6', false],
    ],
  )
  const lost = saleChecks({
    initialStock: 10,
    accepted: 10,
    inFlightAtStop: 0,
    product: { stock: 1, supplied: 10 },
    orders: { pending: 1, completed: 9, failed: 0, completedQuantity: 9 },
  })
  t.equal(lost.find((c) => c.id === 'I3')!.pass, false)
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

t.test('percentile (nearest rank) and CPU lines', async (t) => {
  const values = Float64Array.from({ length: 100 }, (_, i) => 100 - i)
  t.equal(percentile(values, 99), 99)
  t.equal(percentile(values, 50), 50)
  t.equal(percentile(new Float64Array(0), 99), undefined)
  t.equal(
    formatCpu({ host: 1.9, procs: { redis: 0.2, 'order-service': 0.9, idle: 0 }, other: 0.8 }),
    'host busy 1.90 — order-service 0.90, redis 0.20, other processes 0.80',
  )
})

t.test('a sale that did not sell out within the run owes no "all sold"', async (t) => {
  const state = {
    initialStock: 10_000,
    accepted: 3000,
    inFlightAtStop: 100,
    product: { stock: 7000, supplied: 10_000 },
    orders: { pending: 0, completed: 3000, failed: 0, completedQuantity: 3000 },
  }
  const i6 = (soldOut?: boolean) => saleChecks({ ...state, soldOut }).find((c) => c.id === 'I6')!
  t.equal(i6(false).pass, true)
  t.match(i6(false).label, /did not sell out/)
  t.equal(i6(true).pass, false)
  t.equal(i6(undefined).pass, false, 'unknown: judged as a sale that sold out')
  t.equal(
    saleChecks({ ...state, soldOut: false, orders: { ...state.orders, failed: 1 } }).at(-1)!.pass,
    false,
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
    t.equal(html.match(/data-kind="throughput"/g)?.length, 1, 'charts where HDR series were recorded')
    t.match(html, /flash sale invariants/)
    t.match(html, /correctness checks FAILED/, 'the flash sale fixture fails I6')
    t.notMatch(html, /<script[^>]+src=/)
  },
)
