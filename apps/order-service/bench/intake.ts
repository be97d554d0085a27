// Intake throughput as ratios in one run (DESIGN §3): a bare Fastify POST, sold-out answers and
// accepted orders. order-service, inventory-service and the baseline run as child processes; auth,
// the SQS emulator and autocannon run here. Usage:
//   node apps/order-service/bench/intake.ts [seconds=10] [connections=100]
// BENCH_ONLY=sold_out|accepted runs one scenario; BENCH_CPU_PROF=<dir> profiles order-service.
import autocannon from 'autocannon'
import { cleanups, cpuMs, createBenchWorld, start } from './stack.ts'

const seconds = Number(process.argv[2] ?? 10)
const connections = Number(process.argv[3] ?? 100)
const only = process.env.BENCH_ONLY

async function cannon(url: string, token: string, body: object) {
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, (s as { count: number }).count]),
  )
  return {
    rps: Math.round(result.requests.average),
    p99_ms: result.latency.p99,
    statuses,
    errors: result.errors,
  }
}

try {
  const world = await createBenchWorld()
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : []
  const inventory = await start('apps/inventory-service/src/server.ts', world.env)
  const order = await start(
    'apps/order-service/src/server.ts',
    { ...world.env, INVENTORY_URL: inventory.url },
    profile,
  )
  const bare = await start('apps/order-service/bench/bare-server.ts', {})
  const admin = await world.adminToken()
  const buyer = await world.buyerToken()
  const product = async (stock: number) => {
    const res = await fetch(`${inventory.url}/api/products`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `bench-${stock}`, price_cents: 100, stock }),
    })
    return ((await res.json()) as { id: number }).id
  }
  const soldOut = await product(0)
  const plenty = await product(50_000_000)
  const orders = `${order.url}/api/orders`
  const report: Record<string, unknown> = { seconds, connections }

  if (!only)
    report.bare_fastify = await cannon(`${bare.url}/api/orders`, buyer, { product_id: soldOut, quantity: 1 })
  if (!only || only === 'sold_out') {
    const refused = await cannon(orders, buyer, { product_id: soldOut, quantity: 1 })
    const bareRps = (report.bare_fastify as { rps: number } | undefined)?.rps
    report.sold_out = {
      ...refused,
      ratio_to_bare: bareRps ? Number((refused.rps / bareRps).toFixed(2)) : null,
    }
  }
  if (!only || only === 'accepted') {
    const pids = { order_service: order.pid, inventory_service: inventory.pid }
    const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid)]))
    const accepted = await cannon(orders, buyer, { product_id: plenty, quantity: 1 })
    const count = accepted.statuses['202'] ?? 0
    const metrics = await (await fetch(`${order.url}/metrics`)).text()
    const batch = (name: string) =>
      Number(new RegExp(`^order_sqs_batch_size_${name}\\S* (\\S+)`, 'm').exec(metrics)?.[1])
    report.accepted = {
      ...accepted,
      accepted_per_s: Math.round(count / seconds),
      sqs_messages_per_batch: Number((batch('sum') / batch('count')).toFixed(1)),
      // CPU each service spent per accepted order: where the time goes on a shared box.
      cpu_us_per_order: Object.fromEntries(
        Object.entries(pids).map(([k, pid]) => [
          k,
          Math.round(((cpuMs(pid) - before[k]!) * 1000) / Math.max(1, count)),
        ]),
      ),
    }
  }
  console.log(JSON.stringify(report, null, 2))
} finally {
  for (const fn of cleanups.reverse()) await fn()
}
