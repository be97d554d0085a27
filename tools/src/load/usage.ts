// `npm run load -- --help`: every scenario and option, with the defaults of args.ts.
import { METRIC_HELP } from './expect.ts'

/** Comma-separated words, wrapped at 100 columns with `indent` spaces before every continuation line. */
function wrap(words: readonly string[], indent: number): string {
  const lines: string[] = ['']
  for (const w of words) {
    const line = lines.at(-1)!
    if (line.length + w.length + indent > 98) lines.push(`${w}, `)
    else lines[lines.length - 1] = `${line}${w}, `
  }
  return lines
    .map((l) => l.trimEnd())
    .join(`\n${' '.repeat(indent)}`)
    .replace(/,$/, '')
}

export const USAGE = `npm run load -- <scenario> [options]
npm run load -- compare A/report.json B/report.json [--out DIR]

scenarios:
  flash-sale     --buyers buyers hammer one hot product whose --stock units go on sale by a schedule
                 (sale_starts_at) --open-after s into the load; waits for the queue to drain, then
                 audits the sale
  sold-out       a product with no stock, hammered: every answer must be a 409
  accepted       a product with more --stock than any run sells: every order accepted (202) and
                 queued; waits for the queue to drain, then audits the product
  steady-shop    --products products, a browse/product/order/status/me mix (--mix) at --rate req/s;
                 reports every kind of request separately too
  auth-storm     --buyers users arrive at --rate users/s: register, log in, refresh (honouring
                 429/503 + Retry-After like a polite client); reports the sign-in rate sustained
                 and the arrival rate held (users/s)
  compare        two runs' report.json side by side (rate, percentiles, statuses, audit), printed
                 and written to compare.json/.txt/.html in --out (default tmp/load/<time>-compare)

options:
  --url URL              API base (default http://127.0.0.1:8080, the local stack's gateway)
  --orders-url LIST      where the order load goes instead (comma-separated: the connections are
                         spread over them): order-service's instances, or another implementation of
                         POST /api/orders on the same accounts and database; set-up, drain and audit
                         stay on --url
  --stock-url URL        flash-sale: where the audit reads the product's available stock (default
                         --url): a design keeping its own stock (no internal audit then)
  --inventory-url URL    inventory-service itself, for the internal audit when reachable
                         (default http://127.0.0.1:3002; SERVICE_TOKEN or tmp/dev-keys/service-token)
  --duration S           seconds of load (defaults: steady-shop 20, the others 10)
  --connections N        connections (defaults: flash-sale/sold-out 200, accepted/auth-storm 100,
                         steady-shop 50)
  --rate R               fixed arrival rate in requests/s (auth-storm: users/s); steady-shop 500,
                         auth-storm 10 by default, the others as fast as the connections go
  --stages LIST          a ramp instead of --rate/--duration: DURATION:RATE,… e.g. '30s:100,60s:500,30s:0'
                         (each stage ramps linearly from the previous target, 0 before the first)
  --buyers N             buyers (auth-storm: users) (defaults: flash-sale/accepted 200, sold-out 50,
                         steady-shop/auth-storm 100)
  --stock N              flash-sale: units for sale (10000); accepted: units (10000000); steady-shop:
                         units per product (1000000)
  --products N           steady-shop: products to spread the orders over (default 20)
  --mix LIST             steady-shop: weights, default browse=40,product=25,order=15,status=10,me=10
  --open-after S         flash-sale: the sale is scheduled this many seconds ahead, just before the load
                         starts (default 1; the report notes when it opened; 0: on sale from the start)
  --open-by HOW          flash-sale: schedule (default) or restock — the product starts at stock 0 and
                         an admin restock of --stock units opens the sale (a design without schedules)
  --sale-max S           flash-sale: go on past --duration until sold out (plus 1 s), at most S seconds
                         (default --duration: the sale lasts --duration)
  --warmup S             flash-sale/sold-out/accepted: S seconds of load before the measured one, not
                         recorded (flash-sale: on a product of its own with nothing to sell; accepted:
                         its orders drain first) (default 0)
  --pay RATIO            flash-sale: the share (0…1) of accepted orders whose buyer pays, through the
                         signed webhook as a provider would (PAYMENT_WEBHOOK_SECRET, else the local
                         stack's); the rest let the window lapse and their units go back on sale
  --payment-window S     flash-sale: the product's own payment window (0…21600 s; default the
                         deployment's PAYMENT_WINDOW_SECONDS); the drain waits for it to close
  --drain-timeout S      how long to wait for every accepted order to be terminal (default 60)
  --timeout S            a request unanswered this long counts as a timeout (default 10)
  --out DIR              where report.json and report.html go (default tmp/load/<time>-<scenario>)
  --admin-email E        admin account that creates the products (or ADMIN_EMAIL; default the
  --admin-password P     local stack's admin@example.com / admin-password-change-me, or ADMIN_PASSWORD)
  --buyers-file FILE     save the buyers (email, password) there and reuse them next run
  --expect LIST          thresholds that decide the exit code, e.g. 'p99<200,errors=0,failed=0'
                         metrics: ${wrap([...Object.keys(METRIC_HELP), 'status.NNN'], 25)}
                         operators: < <= > >= = !=
  --quiet                no progress, only the summary and the verdict
  --help

exit code: 0 when the run completed, the audit passed and every threshold held; 1 otherwise (the
reason is the last line).
`
