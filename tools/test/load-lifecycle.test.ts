// flash-sale --pay / --payment-window: the flags, which orders the payer pays, the lifecycle audit
// (every unit paid or back on sale, returned once, resold while the sale was open), the report's
// paid/expired/cancelled over time, and the payer against a real HTTP server standing in for the
// platform — the webhook it receives is checked against an HMAC computed here, as the platform does.
import { createHmac } from 'node:crypto'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ApiClient } from '@flash/api-client'
import { DEV_PAYMENT_WEBHOOK_SECRET, type Order, PAYMENT_SIGNATURE_HEADER } from '@flash/contracts'
import t from 'tap'
import { parseLoadArgs } from '../src/load/args.ts'
import { judgeLifecycle, lifecycleOf, RESALE_GRACE_MS } from '../src/load/audit/lifecycle.ts'
import { audit } from '../src/load/audit/types.ts'
import { Recorder } from '../src/load/engine/recorder.ts'
import { paysNth, startPayer, webhookSecret } from '../src/load/engine/payer.ts'
import { buildReport, summaryLines } from '../src/load/report/build.ts'
import { CHARTS_SCRIPT } from '../src/load/report/charts-script.ts'
import { loadPage } from '../src/load/report/html.ts'
import { renderPage } from '../src/load/report/html-page.ts'
import { orderRequests } from '../src/load/scenarios/orders-load.ts'

const options = (argv: string[]) => {
  const p = parseLoadArgs(argv)
  if (p.help) throw new Error('help')
  return p.options
}

const T0 = Date.parse('2026-12-04T10:00:00.000Z')
let seq = 0
function order(status: Order['status'], atS: number, extra: Partial<Order> = {}): Order {
  const n = (seq++).toString(16).padStart(12, '0')
  return {
    order_uuid: `0193a000-0000-7000-8000-${n}`,
    status,
    product_id: 7,
    quantity: 1,
    total_price_cents: 4999,
    failed_reason: null,
    pay_by: null,
    created_at: new Date(T0).toISOString(),
    updated_at: new Date(T0 + atS * 1000).toISOString(),
    ...extra,
  }
}

t.test('--pay and --payment-window: flash-sale only, in range', async (t) => {
  const o = options(['flash-sale', '--pay', '0.7', '--payment-window', '5'])
  t.equal(o.pay, 0.7)
  t.equal(o.paymentWindowS, 5)
  const plain = options(['flash-sale'])
  t.equal(plain.pay, undefined, 'no payer unless asked')
  t.equal(plain.paymentWindowS, undefined, "the deployment's window unless given")
  t.equal(options(['flash-sale', '--pay', '1']).pay, 1)
  t.equal(options(['flash-sale', '--payment-window', '21600']).paymentWindowS, 21_600)
  for (const bad of ['1.5', '-0.1', 'most', ''])
    t.throws(() => options(['flash-sale', '--pay', bad]), /--pay/)
  for (const bad of ['-1', '21601', '2.5'])
    t.throws(() => options(['flash-sale', '--payment-window', bad]), /--payment-window/)
  t.throws(() => options(['sold-out', '--pay', '0.5']), /belong to flash-sale/)
  t.throws(() => options(['steady-shop', '--payment-window', '5']), /belong to flash-sale/)
  t.throws(
    () => options(['flash-sale', '--pay', '0.5', '--payment-window', '0']),
    /needs a payment window/,
    'nothing waits for a payment with a window of 0',
  )
})

t.test('the payer pays the share asked for, of any prefix of the orders', async (t) => {
  const paid = (n: number, r: number) =>
    Array.from({ length: n }, (_, i) => paysNth(i, r)).filter(Boolean).length
  t.equal(paid(10, 0.7), 7)
  t.equal(paid(1000, 0.7), 700)
  t.equal(paid(3, 0.7), 2, 'rounded down')
  t.equal(paid(100, 0), 0)
  t.equal(paid(100, 1), 100)
  t.equal(paid(9, 1 / 3), 3)
  t.equal(webhookSecret({}), DEV_PAYMENT_WEBHOOK_SECRET, 'the local stack’s secret by default')
  t.equal(webhookSecret({ PAYMENT_WEBHOOK_SECRET: 's3cret' }), 's3cret')
})

t.test('the order load names each accepted order and its buyer, only when asked', async (t) => {
  const seen: [string, string][] = []
  const requests = orderRequests(['tok-a', 'tok-b'], 0, 1, (uuid, token) => seen.push([uuid, token]))
  const answer = (i: number, status: number, body: string) =>
    (requests[i]!.onResponse as (status: number, body: string) => void)(status, body)
  answer(0, 202, JSON.stringify({ order_uuid: 'u-1', status: 'pending' }))
  answer(1, 409, JSON.stringify({ code: 'sold_out' }))
  answer(1, 202, JSON.stringify({ order_uuid: 'u-2', status: 'pending' }))
  t.same(seen, [
    ['u-1', 'tok-a'],
    ['u-2', 'tok-b'],
  ])
  t.notOk(orderRequests(['tok-a'], 0, 1)[0]!.onResponse, 'no reading of bodies without a payer')
})

t.test('the lifecycle: counts, resale, and the series over time', async (t) => {
  // 4 units; the load ran 0–10 s. Two expired at 3 s and 4 s and were bought again, one expired at
  // 9.5 s (within the grace: not judged), one cancelled at 2 s and bought again.
  const orders = [
    order('paid', 1),
    order('paid', 2),
    order('expired', 3),
    order('expired', 4),
    order('cancelled', 2),
    order('paid', 6),
    order('paid', 7),
    order('expired', 9.5),
    order('awaiting_payment', 9.8),
    order('failed', 5, { failed_reason: 'insufficient_stock' }),
  ]
  const l = lifecycleOf(orders, { supplied: 6, loadStartMs: T0, loadEndMs: T0 + 10_000 })
  t.equal(l.committed, 9, 'failed orders never took a unit')
  t.same([l.paid, l.expired, l.cancelled, l.awaiting], [4, 3, 1, 1])
  t.equal(l.returnedWhileOpen, 3, `the return at 9.5 s is within the ${RESALE_GRACE_MS} ms grace`)
  t.equal(l.resold, 3)
  t.same(l.series.t, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  t.same(l.series.paid, [0, 1, 2, 2, 2, 2, 3, 4, 4, 4, 4])
  t.same(l.series.expired, [0, 0, 0, 1, 2, 2, 2, 2, 2, 3, 3])
  t.same(l.series.cancelled, [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1])
})

t.test('the lifecycle audit passes a clean sale and catches each way it can go wrong', async (t) => {
  // 3 units: sold, one lapsed and was bought again and paid; all paid in the end.
  const clean = lifecycleOf([order('paid', 1), order('paid', 1), order('expired', 2), order('paid', 3)], {
    supplied: 3,
    loadStartMs: T0,
    loadEndMs: T0 + 10_000,
  })
  const judged = judgeLifecycle(clean, { supplied: 3, available: 0, soldOut: true })
  t.same(
    judged.map((c) => [c.id, c.pass]),
    [
      ['I7', true],
      ['I7-ended', true],
      ['I2-returned', true],
      ['I6-sold', true],
      ['resale', true],
    ],
  )
  const failing = (checks: ReturnType<typeof judgeLifecycle>) =>
    checks.filter((c) => !c.pass).map((c) => c.id)
  // A unit sold twice: four paid orders for three units (a unit "bought again" that never came back).
  const twice = lifecycleOf([order('paid', 1), order('paid', 1), order('paid', 2), order('paid', 3)], {
    supplied: 3,
    loadStartMs: T0,
    loadEndMs: T0 + 10_000,
  })
  t.same(failing(judgeLifecycle(twice, { supplied: 3, available: 0, soldOut: true })), [
    'I7',
    'I7-ended',
    'I2-returned',
    'resale',
  ])
  // An expired unit returned twice: the stock shows one unit too many.
  t.same(failing(judgeLifecycle(clean, { supplied: 3, available: 1, soldOut: true })), [
    'I7-ended',
    'I2-returned',
  ])
  // An expired unit never returned (lost), nobody bought it again.
  const lost = lifecycleOf([order('paid', 1), order('paid', 1), order('expired', 2)], {
    supplied: 3,
    loadStartMs: T0,
    loadEndMs: T0 + 10_000,
  })
  t.same(failing(judgeLifecycle(lost, { supplied: 3, available: 0, soldOut: true })), [
    'I7-ended',
    'I2-returned',
    'resale',
  ])
  // Still waiting for a payment after the drain.
  const waiting = lifecycleOf([order('paid', 1), order('awaiting_payment', 1), order('paid', 1)], {
    supplied: 3,
    loadStartMs: T0,
    loadEndMs: T0 + 10_000,
  })
  t.same(failing(judgeLifecycle(waiting, { supplied: 3, available: 0, soldOut: true })), ['I7-ended'])
  // A sale that never sold out judges neither resale nor every unit sold.
  t.same(
    judgeLifecycle(lost, { supplied: 3, available: 1, soldOut: false }).map((c) => c.id),
    ['I7', 'I7-ended', 'I2-returned'],
  )
  t.same(failing(judgeLifecycle(lost, { supplied: 3, available: 1, soldOut: false })), [])
  t.same(failing(judgeLifecycle(clean, { supplied: 3, available: undefined, soldOut: true })), [
    'I7-ended',
    'I2-returned',
  ])
})

t.test('the report carries paid / expired / cancelled over time: terminal, JSON, HTML', async (t) => {
  const l = lifecycleOf([order('paid', 1), order('expired', 2), order('cancelled', 3), order('paid', 4)], {
    supplied: 2,
    loadStartMs: T0,
    loadEndMs: T0 + 5_000,
  })
  const report = buildReport({
    options: options(['flash-sale', '--pay', '0.5', '--payment-window', '5', '--stock', '2']),
    tool: { name: 'flash-load', version: '0.0.0' },
    date: '2026-12-04T10:00:00.000Z',
    command: 'npm run load -- flash-sale --pay 0.5',
    run: new Recorder(0).finish(5000),
    scenarioMetrics: { paid: 2, expired: 1, cancelled: 1, resold: 2, returned_while_open: 2 },
    audit: audit(judgeLifecycle(l, { supplied: 2, available: 0, soldOut: true })),
    setup: {},
    lifecycle: l.series,
    notes: [],
  })
  t.same(report.lifecycle?.paid, [0, 1, 1, 1, 2, 2])
  t.equal(report.params.pay, 0.5)
  t.equal(report.verdict.pass, false, 'no answer was received in this synthetic run')
  t.same(
    report.audit.checks.filter((c) => !c.pass),
    [],
  )
  const lines = summaryLines(report).join('\n')
  t.match(
    lines,
    /payment: 2 paid, 1 expired, 1 cancelled; 2 units bought again \(2 came back while the sale was open\)/,
  )
  t.match(lines, /paid\/expired\/cancelled over time: 0s 0\/0\/0 · .* · 5s 2\/1\/1/)
  const html = renderPage(loadPage(report), { js: '', css: '' })
  t.match(html, /<h2>Payment window<\/h2>/)
  t.match(html, /data-kind="lifecycle"/)
  const data = JSON.parse(html.split('id="chart-data">')[1]!.split('</script>')[0]!)
  t.same(data.at(-1).lifecycle.expired, [0, 0, 1, 1, 1, 1])
  // The page's own script draws it (uPlot and the DOM stubbed: what each chart is given).
  const drawn: [string, unknown[][]][] = []
  const els = [...html.matchAll(/data-chart="(\d+)" data-kind="(\w+)"/g)].map(([, i, kind]) => ({
    clientWidth: 900,
    getAttribute: (a: string) => (a === 'data-chart' ? i : kind),
  }))
  const page = {
    document: {
      getElementById: () => ({ textContent: html.split('id="chart-data">')[1]!.split('</script>')[0] }),
      querySelectorAll: () => els,
    },
    // A class: the script calls `new uPlot(opts, series, el)`.
    uPlot: class {
      constructor(opts: { title: string }, series: unknown[][]) {
        drawn.push([opts.title, series])
      }
    },
  }
  new Function('document', 'uPlot', CHARTS_SCRIPT)(page.document, page.uPlot)
  const lifecycleChart = drawn.find(([title]) => /paid, expired and cancelled/.test(title))
  t.same(lifecycleChart?.[1], [l.series.t, l.series.paid, l.series.expired, l.series.cancelled])
  t.equal(drawn.length, 4, 'and the three charts of every run')
  const plain = buildReport({ ...reportInputWithout(report) })
  t.notOk('lifecycle' in plain, 'no payer, no lifecycle')
  t.notMatch(summaryLines(plain).join('\n'), /payment:/)
})

function reportInputWithout(r: ReturnType<typeof buildReport>) {
  return {
    options: options(['flash-sale']),
    tool: r.tool,
    date: r.date,
    command: r.command,
    run: r.run,
    scenarioMetrics: {},
    audit: r.audit,
    setup: {},
    notes: [],
  }
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let s = ''
    req.on('data', (c) => {
      s += c
    })
    req.on('end', () => resolve(s))
  })

t.test('the payer pays its share of the accepted orders with a signed webhook, once each', async (t) => {
  // Ten accepted orders: pending at first, then waiting for their payment, as GET /api/orders/:uuid
  // shows them to their buyer — but the fifth failed. The webhook checks the signature exactly as the
  // platform does (HMAC-SHA256 over `${t}.${raw body}`).
  const secret = 'test-webhook-secret'
  const orders = Array.from({ length: 10 }, (_, i) =>
    order(i === 4 ? 'failed' : 'awaiting_payment', i, {
      pay_by: new Date(Date.now() + 60_000).toISOString(),
    }),
  )
  const reads = new Map<string, number>()
  const deliveries: { orderUuid: string; eventId: string; amount: number; valid: boolean }[] = []
  let firstRefused = true
  const server = createServer(async (req, res) => {
    const uuid = /^\/api\/orders\/([0-9a-f-]+)$/.exec(req.url ?? '')?.[1]
    if (req.method === 'GET' && uuid) {
      const o = orders.find((x) => x.order_uuid === uuid)!
      t.equal(req.headers.authorization, `Bearer buyer-${orders.indexOf(o)}`, 'read as its buyer')
      const n = (reads.get(uuid) ?? 0) + 1
      reads.set(uuid, n)
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(n === 1 ? { ...o, status: 'pending', pay_by: null } : o))
      return
    }
    if (req.method === 'POST' && req.url === '/api/payments/webhook') {
      const raw = await readBody(req)
      // The first delivery meets a 503: the payer retries it, with the same event id.
      if (firstRefused) {
        firstRefused = false
        res.statusCode = 503
        res.end()
        return
      }
      const header = String(req.headers[PAYMENT_SIGNATURE_HEADER])
      const ts = /t=(\d+)/.exec(header)?.[1]
      const v1 = /v1=([0-9a-f]+)/.exec(header)?.[1]
      const expected = createHmac('sha256', secret).update(`${ts}.`).update(raw).digest('hex')
      const body = JSON.parse(raw)
      t.equal(body.type, 'payment_intent.succeeded')
      deliveries.push({
        orderUuid: body.data.object.order_uuid,
        eventId: body.id,
        amount: body.data.object.amount_cents,
        valid: v1 === expected && Math.abs(Number(ts) - Date.now() / 1000) < 300,
      })
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ received: true, outcome: 'applied', duplicate: false }))
      return
    }
    res.statusCode = 404
    res.end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const payer = startPayer({ client: new ApiClient({ baseUrl: url }), url, ratio: 0.7, secret })
  for (const [i, o] of orders.entries()) payer.accepted(o.order_uuid, `buyer-${i}`)
  const stats = await payer.stop()
  t.equal(stats.accepted, 10)
  t.equal(stats.chosen, 7, 'the 2nd, 3rd, 5th, 6th, 8th, 9th and 10th')
  t.equal(stats.missed, 1, 'the failed order never waited for a payment')
  t.same(stats.outcomes, { applied: 6 })
  t.equal(stats.undelivered, 0)
  t.equal(deliveries.length, 6, 'the refused delivery was retried, nothing paid twice')
  t.ok(
    deliveries.every((d) => d.valid),
    'every delivery signed as the platform verifies it',
  )
  t.ok(
    deliveries.every((d) => d.amount === 4999),
    "each pays its order's total",
  )
  t.equal(new Set(deliveries.map((d) => d.orderUuid)).size, 6)
  t.ok(
    deliveries.every((d) => d.eventId === `evt_load_${d.orderUuid}`),
    'one event id per order',
  )
  t.notOk(reads.has(orders[0]!.order_uuid), 'an order not chosen to pay is never read')
})
