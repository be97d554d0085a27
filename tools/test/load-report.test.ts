// The load report from recorded answers to report.json and report.html: HDR percentiles, per-second
// series, metrics, audit verdicts, thresholds, the self-contained page. Synthetic answers, no load.
import type { Order } from '@flash/contracts'
import t from 'tap'
import { parseLoadArgs } from '../src/load/args.ts'
import { judgeSale, judgeShop } from '../src/load/audit/judge.ts'
import { countOrders, emptyCounts } from '../src/load/audit/orders.ts'
import { audit } from '../src/load/audit/types.ts'
import { distribution, newHistogram, recordMs, summarize } from '../src/load/engine/latency.ts'
import { isShed, retryAfterMs } from '../src/load/engine/polite.ts'
import { liveLine } from '../src/load/engine/progress.ts'
import { Recorder } from '../src/load/engine/recorder.ts'
import { buildReport, summaryLines } from '../src/load/report/build.ts'
import { loadPage } from '../src/load/report/html.ts'
import { esc, renderPage, scriptJson } from '../src/load/report/html-page.ts'
import { mixSequence } from '../src/load/scenarios/shop-requests.ts'

/** 1,000 answers a second for 3 s: latency 1…100 ms, every tenth a 202, the rest 409; one timeout. */
function recorded() {
  const r = new Recorder(0)
  for (let i = 0; i < 3000; i++) r.record(i % 10 === 0 ? 202 : 409, 1 + (i % 100), i)
  r.error('request timed out', 1500)
  r.error('ECONNRESET', 2500)
  return r.finish(3000)
}

const options = (argv: string[]) => {
  const p = parseLoadArgs(argv)
  if (p.help) throw new Error('help')
  return p.options
}

t.test('histograms: percentiles in ms, spectrum bounded by the sample count', async (t) => {
  const h = newHistogram()
  for (let ms = 1; ms <= 1000; ms++) recordMs(h, ms)
  const s = summarize(h)
  t.equal(s.count, 1000)
  t.ok(Math.abs(s.p50! - 500) <= 1, `p50 ${s.p50}`)
  t.ok(Math.abs(s.p99! - 990) <= 1, `p99 ${s.p99}`)
  t.ok(Math.abs(s.max! - 1000) <= 1)
  const d = distribution(h)
  t.equal(d.percentile.at(-1), 100)
  t.ok(d.nines.at(-2)! <= 3, '1,000 samples support three nines')
  t.same(summarize(newHistogram()).p99, null)
  t.same(distribution(newHistogram()).ms, [])
})

t.test('the recorder: totals, per-second series, errors and timeouts', async (t) => {
  const run = recorded()
  t.equal(run.responses, 3000)
  t.equal(run.rps, 1000)
  t.same(run.statuses, { 202: 300, 409: 2700 })
  t.same(run.errors, { 'request timed out': 1, ECONNRESET: 1 })
  t.equal(run.errorCount, 2)
  t.equal(run.timeouts, 1)
  t.same(run.series.t, [0, 1, 2])
  t.same(run.series.rps, [1000, 1000, 1000])
  t.same(run.series.statuses['202'], [100, 100, 100])
  t.same(run.series.errors, [0, 1, 1])
  t.ok(run.series.p99.every((p) => p !== null && p >= 98 && p <= 101))
  const live = new Recorder(0)
  live.record(200, 5, 100)
  live.record(200, 7, 1200)
  const snap = live.live(2100)
  t.equal(snap.rps, 1, 'answers of the last full second')
  t.same(snap.statuses, { 200: 2 })
  t.match(liveLine(snap, 10), /^2s\/10s \(8s left\) \| 1 req\/s \| p50 5\.0 ms/)
  t.match(liveLine({ ...snap, elapsedS: 12 }, 10, 'sold 3'), /finishing the requests in flight.*\| sold 3$/)
})

t.test('the report: metrics, thresholds and the verdict', async (t) => {
  const run = recorded()
  const checks = judgeSale({
    supplied: 300,
    accepted: 300,
    inFlightAtStop: 10,
    orders: { total: 300, pending: 0, completed: 300, failed: 0, completedUnits: 300 },
    available: 0,
    soldOut: true,
  })
  const input = {
    options: options([
      'flash-sale',
      '--stock',
      '300',
      '--expect',
      'p99<200,errors=0,status.202=300,accepted>=300',
    ]),
    tool: { name: 'flash-load', version: '1.2.3' },
    git: { commit: 'abc1234', dirty: false },
    date: '2026-12-01T10:00:00.000Z',
    command: 'npm run load -- flash-sale',
    run,
    scenarioMetrics: { accepted: 300, failed: 0 },
    audit: audit(checks),
    setup: { product_id: 7 },
    notes: [],
  }
  const report = buildReport(input)
  t.equal(report.metrics['2xx'], 300)
  t.equal(report.metrics['4xx'], 2700)
  t.equal(report.metrics['status.409'], 2700)
  t.equal(report.metrics.errors, 2)
  t.equal(report.metrics.audit_failed, 0)
  t.same(
    report.thresholds.map((x) => x.pass),
    [true, false, true, true],
  )
  t.equal(report.verdict.pass, false)
  t.same(report.verdict.reasons, ['threshold errors=0 missed: errors = 2'])
  t.notOk('adminPassword' in report.params, 'no password in the report')
  t.same(report.params.expect, ['p99<200', 'errors=0', 'status.202=300', 'accepted>=300'])
  t.equal(report.tool.version, '1.2.3')
  t.match(summaryLines(report).join('\n'), /threshold MISSED errors=0/)

  const broken = buildReport({
    ...input,
    options: options(['flash-sale']),
    audit: audit([{ ...checks[0]!, pass: false }]),
  })
  t.equal(broken.verdict.pass, false)
  t.match(broken.verdict.reasons[0], /^audit I1 failed/)
  const internal = {
    reachable: true,
    detail: 'x',
    findings: [{ product_id: 7, invariant: 'I4' as const, ok: false, detail: 'drift' }],
  }
  const drift = buildReport({ ...input, options: options(['flash-sale']), audit: audit(checks, internal) })
  t.equal(drift.audit.pass, false)
  t.equal(drift.metrics.audit_failed, 1)
  t.match(drift.verdict.reasons[0], /npm run audit I4 failed for product 7/)
  const unreachable = audit(checks, { reachable: false, detail: 'no token', findings: [] })
  t.equal(unreachable.pass, true, 'an internal audit that cannot run does not fail the run')
  const clean = buildReport({ ...input, options: options(['flash-sale']) })
  t.same(clean.verdict, { pass: true, reasons: [] })
})

t.test('report.html is self-contained and carries the charts and tables', async (t) => {
  const report = buildReport({
    options: options(['sold-out']),
    tool: { name: 'flash-load', version: '0.0.0' },
    date: '2026-12-01T10:00:00.000Z',
    command: 'npm run load -- sold-out',
    run: recorded(),
    scenarioMetrics: {},
    audit: audit([{ id: 'I1', label: 'no order <accepted>', pass: true, detail: 'ok' }]),
    setup: {},
    notes: ['a </script> in a note'],
  })
  const html = renderPage(loadPage(report), { js: '/* uplot */', css: '.u{}' })
  t.match(html, /^<!doctype html>/)
  t.notMatch(html, /<script[^>]+src=/, 'no external script')
  t.notMatch(html, /<link[^>]+href=/, 'no external stylesheet')
  t.match(html, /data-kind="throughput"/)
  t.match(html, /data-kind="latency"/)
  t.match(html, /data-kind="distribution"/)
  t.match(html, /no order &lt;accepted&gt;/, 'text is escaped')
  t.notMatch(html.split('<script type="application/json"')[0]!, /<\/script> in a note/)
  const data = html.split('id="chart-data">')[1]!.split('</script>')[0]!
  t.same(JSON.parse(data)[0].rps, [1000, 1000, 1000])
  t.equal(scriptJson({ a: '</script>' }), '{"a":"\\u003c/script>"}')
  t.equal(esc(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
})

t.test('audit judges: a sale and a shop', async (t) => {
  const sale = (over: Partial<Parameters<typeof judgeSale>[0]> = {}) =>
    judgeSale({
      supplied: 100,
      accepted: 100,
      inFlightAtStop: 5,
      orders: { total: 102, pending: 0, completed: 100, failed: 2, completedUnits: 100 },
      available: 0,
      soldOut: true,
      ...over,
    }).map((c) => [c.id, c.pass])
  t.same(sale(), [
    ['I1', true],
    ['I3', true],
    ['I2', true],
    ['I6', false],
    ['I6-sold', true],
  ])
  const lost = sale({
    orders: { total: 99, pending: 1, completed: 99, failed: 0, completedUnits: 99 },
    available: 1,
  })
  t.same(
    lost.find(([id]) => id === 'I3'),
    ['I3', false],
  )
  t.same(
    lost.find(([id]) => id === 'I6-sold'),
    ['I6-sold', false],
  )
  t.same(
    sale({ soldOut: false }).map(([id]) => id),
    ['I1', 'I3', 'I2', 'I6'],
    'no sell-out, no "all sold"',
  )
  t.same(
    sale({ available: 5 }).find(([id]) => id === 'I2'),
    ['I2', false],
  )
  const shop = judgeShop(
    [
      {
        id: 1,
        supplied: 10,
        available: 7,
        orders: { total: 3, pending: 0, completed: 3, failed: 0, completedUnits: 3 },
      },
      {
        id: 2,
        supplied: 10,
        available: 9,
        orders: { total: 2, pending: 0, completed: 2, failed: 0, completedUnits: 2 },
      },
    ],
    5,
    0,
  )
  t.same(
    shop.map((c) => [c.id, c.pass]),
    [
      ['I1', true],
      ['I3', true],
      ['I2', false],
      ['I6', true],
    ],
  )
  t.match(shop[2]!.detail, /product 2: 9 ≠ 10 − 2/)
  const counts = new Map([[1, emptyCounts()]])
  countOrders(
    [
      {
        order_uuid: 'a',
        status: 'completed',
        product_id: 1,
        quantity: 2,
        total_price_cents: 2,
        failed_reason: null,
        created_at: '',
        updated_at: '',
      },
      {
        order_uuid: 'b',
        status: 'failed',
        product_id: 1,
        quantity: 1,
        total_price_cents: 1,
        failed_reason: 'insufficient_stock',
        created_at: '',
        updated_at: '',
      },
      {
        order_uuid: 'c',
        status: 'pending',
        product_id: 9,
        quantity: 1,
        total_price_cents: 1,
        failed_reason: null,
        created_at: '',
        updated_at: '',
      },
    ] as never,
    counts,
  )
  t.same(counts.get(1), {
    total: 2,
    pending: 0,
    completed: 1,
    failed: 1,
    completedUnits: 2,
    returned: 0,
    failedReasons: { insufficient_stock: 1 },
  })
})

t.test('Retry-After and the steady-shop mix', async (t) => {
  t.equal(retryAfterMs('3'), 3000)
  t.equal(retryAfterMs(undefined), 1000)
  t.equal(retryAfterMs('soon', 500), 500)
  t.equal(retryAfterMs(new Date(10_000).toUTCString(), 1000, 4000), 6000, 'an HTTP date')
  t.ok(isShed(429) && isShed(503) && !isShed(500))
  const seq = mixSequence({ browse: 40, product: 25, order: 15, status: 10, me: 10 }, 20, 3)
  const count = (k: string) => seq.filter((x) => x === k).length
  t.same([count('browse'), count('product'), count('order'), count('status'), count('me')], [8, 5, 3, 2, 2])
  t.same(mixSequence({ browse: 1, product: 1, order: 1, status: 0, me: 0 }, 20, 1).length, 20)
  t.same(mixSequence({ browse: 1, product: 0, order: 0, status: 0, me: 0 }, 4, 9), [
    'browse',
    'browse',
    'browse',
    'browse',
  ])
  t.notSame(
    mixSequence({ browse: 40, product: 25, order: 15, status: 10, me: 10 }, 20, 4),
    seq,
    'connections differ',
  )
})

t.test(
  'orders of the payment window: awaiting and paid units are sold, expired and cancelled returned',
  async (t) => {
    const counts = new Map([[1, emptyCounts()]])
    const order = (status: Order['status'], quantity: number): Order => ({
      order_uuid: status,
      status,
      product_id: 1,
      quantity,
      total_price_cents: quantity,
      failed_reason: null,
      pay_by: null,
      created_at: '',
      updated_at: '',
    })
    countOrders(
      [order('awaiting_payment', 1), order('paid', 2), order('expired', 1), order('cancelled', 1)],
      counts,
    )
    t.match(counts.get(1), { total: 4, completed: 2, completedUnits: 3, returned: 2, failed: 0, pending: 0 })
  },
)
