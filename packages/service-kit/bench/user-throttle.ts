// What the per-user limit costs a request on the hot path: UserCounts.hit() (a Map lookup and a few
// additions) plus the two RateLimit header strings, measured alone. The end-to-end number is the
// sold-out path of `npm run bench`, which runs with the limit on. Run:
//   node packages/service-kit/bench/user-throttle.ts [users] [calls]
import { createRedis } from '../src/index.ts'
import { UserCounts } from '../src/throttle/user-counts.ts'

const users = Number(process.argv[2] ?? 1_000)
const calls = Number(process.argv[3] ?? 5_000_000)
// Never connected: hit() does not touch Redis (sync() would).
const redis = createRedis({ url: 'redis://127.0.0.1:6379', keyPrefix: 'bench:' })
const counts = new UserCounts({
  redis,
  scope: 'bench',
  windowMs: 10_000,
  timeoutMs: 200,
  onSyncError: () => {},
})

let sink = 0
const run = (n: number) => {
  const start = process.hrtime.bigint()
  for (let i = 0; i < n; i++) {
    const { used, resetMs } = counts.hit(i % users, Date.now())
    const header = `"user";r=${Math.max(0, 100_000_000 - used)};t=${Math.ceil(resetMs / 1000)}`
    sink += header.length
  }
  return Number(process.hrtime.bigint() - start) / n
}
run(200_000) // warm-up: JIT
const nsPerCall = run(calls)
console.log(
  `UserCounts.hit + RateLimit header: ${nsPerCall.toFixed(1)} ns per request (${users} users, ${calls} calls; ` +
    `at 20,000 req/s that is ${((nsPerCall * 20_000) / 1e7).toFixed(3)} % of one core) [${sink > 0 ? 'ok' : ''}]`,
)
redis.disconnect()
