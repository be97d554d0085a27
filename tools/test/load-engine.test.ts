// What load testers reach for beyond one rate and one latency: stages, per-endpoint results (through
// the real runner against a real HTTP server), compare, auth capacity, the static report's legends
// and collapsed audit tables.
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import { parseLoadArgs } from '../src/load/args.ts'
import { audit } from '../src/load/audit/types.ts'
import { runCannon } from '../src/load/engine/cannon.ts'
import { Recorder } from '../src/load/engine/recorder.ts'
import { arrivalTimes, parseStages, rateAt, rateSteps } from '../src/load/engine/stages.ts'
import { buildReport, type LoadReport, summaryLines } from '../src/load/report/build.ts'
import { CHARTS_SCRIPT } from '../src/load/report/charts-script.ts'
import { compareLines, compareReports, deltaText } from '../src/load/report/compare.ts'
import { endpointLines, endpointRows } from '../src/load/report/endpoints.ts'
import { loadPage } from '../src/load/report/html.ts'
import { COLLAPSE_ROWS, collapsible, renderPage } from '../src/load/report/html-page.ts'
import { capacity, capacityNote } from '../src/load/scenarios/auth-storm.ts'

const options = (argv: string[]) => {
  const p = parseLoadArgs(argv)
  if (p.help) throw new Error('help')
  return p.options
}

t.test('--stages: parsed, cut into fixed-rate steps, and turned into arrival times', async (t) => {
  t.same(parseStages('30s:100, 1m:500,30:0'), [
    { durationS: 30, target: 100 },
    { durationS: 60, target: 500 },
    { durationS: 30, target: 0 },
  ])
  for (const bad of [
    '30s',
    '30x:5',
    'abc:5',
    '10s:-1',
    '10s:1.5',
    '10s:5:6',
    '500ms:5',
    '0s:0,10s:0',
    '2h:5',
  ])
    t.throws(() => parseStages(bad), /--stages/, bad)
  // 0 → 4 over 4 s: one-second steps at the midpoint rates; a level stage is one step.
  t.same(rateSteps(parseStages('4s:4,3s:4,2s:0')), [
    { durationS: 1, rate: 1 },
    { durationS: 1, rate: 2 },
    { durationS: 1, rate: 3 },
    { durationS: 4, rate: 4 },
    { durationS: 1, rate: 3 },
    { durationS: 1, rate: 1 },
  ])
  t.equal(rateAt(parseStages('10s:100'), 5), 50)
  t.equal(rateAt(parseStages('10s:100'), 11), 0)
  // A level 10/s for 2 s: 20 arrivals, one every 0.1 s; a ramp 0 → 20/s over 2 s: 20 arrivals, denser late.
  const level = arrivalTimes(parseStages('1s:10,2s:10'), 1000).filter((x) => x >= 1)
  t.equal(level.length, 20)
  t.ok(Math.abs(level[1]! - level[0]! - 0.1) < 0.002, 'evenly spaced at a level rate')
  const ramp = arrivalTimes(parseStages('2s:20'), 1000)
  t.equal(ramp.length, 20)
  t.ok(ramp[1]! - ramp[0]! > ramp[19]! - ramp[18]!, 'closer together as the rate grows')
  t.equal(arrivalTimes(parseStages('10s:100'), 7).length, 7, 'bounded by the users')
})

t.test('--stages on the command line: sets rate and duration, refuses --rate/--duration', async (t) => {
  const o = options(['steady-shop', '--stages', '30s:100,60s:500,30s:0'])
  t.equal(o.durationS, 120)
  t.equal(o.rate, undefined)
  t.equal(o.stages?.length, 3)
  t.throws(() => options(['steady-shop', '--stages', '10s:5', '--rate', '5']), /without --rate/)
  t.throws(
    () => options(['steady-shop', '--stages', '10s:5', '--duration', '5']),
    /without --rate and --duration/,
  )
})

t.test('per endpoint: the recorder keeps each named request apart', async (t) => {
  const r = new Recorder(0)
  for (let i = 0; i < 100; i++) r.record(200, 10, i * 10, 'browse')
  for (let i = 0; i < 50; i++) r.record(i % 2 ? 202 : 409, 100, i * 20, 'order')
  r.record(200, 5, 500)
  const run = r.finish(1000)
  t.equal(run.responses, 151, 'the run counts every answer, named or not')
  t.same(Object.keys(run.endpoints ?? {}), ['browse', 'order'])
  t.same(run.endpoints?.order?.statuses, { 202: 25, 409: 25 })
  t.equal(run.endpoints?.browse?.rps, 100)
  const rows = endpointRows(run)
  t.same(
    rows.map((e) => [e.endpoint, e.responses, e.statuses]),
    [
      ['browse', 100, '200×100'],
      ['order', 50, '202×25 409×25'],
    ],
  )
  t.ok(Math.abs(rows[1]!.p99! - 100) <= 0.1)
  const lines = endpointLines(run)
  t.match(lines[0], /endpoint\s+req\/s\s+p50 ms\s+p99 ms\s+statuses/)
  t.match(lines[2], /^order\s+50\s+100\s+100\s+202×25 409×25$/)
  t.same(endpointLines(new Recorder(0).finish(1)), [], 'nothing for an unnamed run')
})

t.test('per endpoint through the runner: autocannon answers attributed to their request', async (t) => {
  // A real server answering by path, a real autocannon run at a fixed rate.
  const server = createServer((req, res) => {
    res.statusCode = req.url === '/a' ? 200 : req.url === '/b' ? 404 : 409
    res.end('{}')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const { port } = server.address() as AddressInfo
  const run = await runCannon({
    url: `http://127.0.0.1:${port}/`,
    connections: 2,
    stages: parseStages('1s:40,1s:40'),
    durationS: 2,
    timeoutS: 5,
    requestsFor: () => [
      { method: 'GET', path: '/a', endpoint: 'a' },
      // Built per request, as steady-shop's are: the endpoint survives setupRequest.
      { method: 'GET', setupRequest: (req) => ({ ...req, path: '/b' }), endpoint: 'b' },
      { method: 'GET', path: '/c' },
    ],
  })
  t.equal(run.stops, 2, 'the ramp 0 → 40 and the level 40: two autocannon runs, two stops to allow for')
  const e = run.stats.endpoints ?? {}
  t.ok((e.a?.responses ?? 0) > 0, 'a answered')
  t.same(Object.keys(e.a?.statuses ?? {}), ['200'], 'every answer of a is its 200')
  t.same(Object.keys(e.b?.statuses ?? {}), ['404'], 'every answer of b is its 404')
  t.notOk('undefined' in e, 'the unnamed request is in no endpoint')
  t.equal(
    run.stats.responses,
    (e.a?.responses ?? 0) + (e.b?.responses ?? 0) + (run.stats.statuses['409'] ?? 0),
    'the run counts all three',
  )
})

function report(argv: string[], statuses: [number, number][], extra: Partial<LoadReport> = {}): LoadReport {
  const r = new Recorder(0)
  let i = 0
  for (const [status, n] of statuses)
    for (let k = 0; k < n; k++, i++) r.record(status, 1 + (i % 50), i, i % 2 ? 'browse' : 'order')
  const built = buildReport({
    options: options(argv),
    tool: { name: 'flash-load', version: '0.0.0' },
    date: '2026-12-04T10:00:00.000Z',
    command: `npm run load -- ${argv.join(' ')}`,
    run: r.finish(Math.max(1, i)),
    scenarioMetrics: { accepted: 10 },
    audit: audit([{ id: 'I1', label: 'no oversell', pass: true, detail: 'ok' }]),
    setup: {},
    notes: [],
  })
  return { ...built, ...extra }
}

t.test('the summary, report.json and report.html carry the per-endpoint results', async (t) => {
  const r = report(
    ['steady-shop'],
    [
      [200, 40],
      [202, 10],
    ],
  )
  const text = summaryLines(r).join('\n')
  t.match(text, /browse\s+500\s+\S+\s+\S+\s+200×20 202×5/)
  t.match(text, /order\s+500\s+\S+\s+\S+\s+200×20 202×5/)
  t.same(Object.keys(JSON.parse(JSON.stringify(r)).run.endpoints), ['order', 'browse'])
  const page = loadPage(r)
  const section = page.sections.find((s) => s.title === 'Per endpoint')
  t.ok(section, 'a per-endpoint section')
  t.match(section!.html, /<td>browse<\/td><td>25<\/td>/)
})

t.test('compare: side by side with B − A, statuses and audit', async (t) => {
  const a = report(
    ['steady-shop'],
    [
      [200, 100],
      [500, 4],
    ],
  )
  const b = report(['steady-shop'], [[200, 150]], {
    verdict: { pass: false, reasons: ['audit'] },
  })
  const c = compareReports(a, b, ['a/report.json', 'b/report.json'])
  const find = (metric: string) => c.rows.find((r) => r.metric === metric)!
  t.same([find('responses').a, find('responses').b], [104, 150])
  t.equal(deltaText(find('responses')), '+46 (+44.2 %)')
  t.same([find('500').a, find('500').b], [4, 0], 'a status seen in one run only counts 0 in the other')
  t.equal(deltaText(find('500')), '-4 (-100.0 %)')
  t.same([find('verdict').a, find('verdict').b], ['PASS', 'FAIL'])
  t.equal(deltaText(find('verdict')), 'changed')
  t.ok(find('browse p99'), 'per-endpoint rows')
  t.same([find('accepted').a, find('accepted').b], [10, 10], "the scenario's own numbers")
  t.equal(deltaText(find('accepted')), '=')
  const lines = compareLines(c)
  t.match(lines[0], /^A: a\/report.json — steady-shop/)
  t.match(
    lines.find((l) => l.startsWith('statuses: 500')),
    /4\s+0\s+-4 \(-100.0 %\)$/,
  )
  const other = compareLines(compareReports(a, report(['sold-out'], [[409, 5]])))
  t.ok(other.includes('note: the two runs are of different scenarios'))
})

t.test('auth capacity: the sign-in rate sustained and the arrival rate held', async (t) => {
  const held = capacity(100, 100, 10, 10.4)
  t.equal(held.held, true)
  t.equal(held.holdsPerS, 10)
  t.ok(Math.abs(held.signinPerS! - 100 / 10.4) < 1e-9)
  t.match(capacityNote(held), /held 10.0 arrivals\/s/)
  // 1,000 users offered at 100/s, 689 in after 33 s: about 21 sign-ins/s is what it holds.
  const over = capacity(1000, 689, 10, 33)
  t.equal(over.held, false)
  t.ok(Math.abs(over.holdsPerS! - 689 / 33) < 1e-9)
  t.match(capacityNote(over), /did not hold 100.0 arrivals\/s; sign-ins sustained 20.9 users\/s/)
  t.equal(capacity(10, 9, 10, 10).held, false, 'a user left out is not holding')
  t.equal(capacity(10, 0, 10, null).holdsPerS, null)
})

t.test('long audit tables fold behind their summary line', async (t) => {
  t.equal(collapsible('s', COLLAPSE_ROWS, '<table></table>'), '<table></table>')
  t.equal(
    collapsible('20 products <ok>', COLLAPSE_ROWS + 1, '<table></table>'),
    '<details><summary>20 products &lt;ok&gt;</summary>\n<table></table></details>',
  )
  const r = report(['steady-shop'], [[200, 10]])
  r.audit.internal = {
    reachable: true,
    detail: 'x',
    findings: Array.from({ length: 12 }, (_, i) => ({
      product_id: i,
      invariant: 'I1',
      ok: i !== 3,
      detail: 'd',
    })) as NonNullable<LoadReport['audit']['internal']>['findings'],
  }
  const html = loadPage(r).sections.find((s) => s.title === 'Audit')!.html
  t.match(html, /<details><summary>12 findings over 12 products: 11 passed, 1 failed/)
})

t.test('the legends of a static view show the run summary, not "--"', async (t) => {
  const r = report(
    ['steady-shop'],
    [
      [200, 90],
      [409, 10],
    ],
  )
  const html = renderPage(loadPage(r), { js: '', css: '' })
  const data = /<script type="application\/json" id="chart-data">(.*?)<\/script>/s.exec(html)![1]!
  const charts = [...html.matchAll(/data-chart="(\d+)" data-kind="(\w+)"/g)]
  // The page script, run with uPlot replaced by a recorder of its options: what uPlot would draw.
  const drawn: {
    title: string
    series: {
      label: string
      value?: (u: object, v: number | null, si: number, idx: number | null) => string
    }[]
  }[] = []
  runInNewContext(CHARTS_SCRIPT, {
    document: {
      getElementById: () => ({ textContent: data }),
      querySelectorAll: () =>
        charts.map(([, i, kind]) => ({
          clientWidth: 900,
          getAttribute: (name: string) => (name === 'data-chart' ? i : kind),
        })),
    },
    uPlot: class {
      constructor(opts: (typeof drawn)[number]) {
        drawn.push(opts)
      }
    },
  })
  t.equal(drawn.length, 3)
  const legend = (chart: number) =>
    Object.fromEntries(drawn[chart]!.series.map((s) => [s.label, s.value?.({}, null, 0, null)]))
  const throughput = legend(0)
  t.equal(throughput.all, '100 in all')
  t.equal(throughput['200'], '90 in all')
  t.equal(throughput['409'], '10 in all')
  t.equal(throughput['errors/timeouts'], '0 in all')
  const latency = legend(1)
  t.equal(latency.p99, `${Math.round(r.run.latency.p99! * 10) / 10} ms run`)
  for (const chart of [0, 1, 2])
    for (const [label, v] of Object.entries(legend(chart))) t.not(v, '--', `${label} has a value`)
  t.equal(
    drawn[1]!.series[3]!.value!({}, 12.34, 3, 5),
    '12.3 ms',
    'a hovered point still shows its own value',
  )
})
