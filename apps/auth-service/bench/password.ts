// Password hashing cost on this machine: `npm run bench:password -w @flash/auth-service [-- 10 14 15]`.
// One verify at a time (latency) and many at once (throughput through libuv's thread pool).
import { createPasswordHasher } from '../src/password.ts'

const costs = process.argv.slice(2).map(Number)
for (const cost of costs.length ? costs : [10, 14, 15]) {
  const hasher = await createPasswordHasher(cost)
  const stored = await hasher.hash('correct horse battery')
  const n = cost >= 15 ? 10 : 40
  let start = performance.now()
  for (let i = 0; i < n; i++) await hasher.verify('correct horse battery', stored)
  const latency = (performance.now() - start) / n
  start = performance.now()
  await Promise.all(Array.from({ length: n }, () => hasher.verify('correct horse battery', stored)))
  const perSecond = n / ((performance.now() - start) / 1000)
  console.log(
    `cost ${cost}: ${latency.toFixed(1)} ms per verify, ${perSecond.toFixed(0)} verifies/s (${n} concurrent)`,
  )
}
