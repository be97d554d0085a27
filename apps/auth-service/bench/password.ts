// Password hashing cost on this machine: `npm run bench:password -w @flash/auth-service [-- 19456:2 1024:1]`
// (argon2id memory KiB : passes). One verify at a time (latency), then many at once through the
// same HashGate the service uses, one slot per CPU (throughput). A login costs one verify, so
// verifies/s is logins/s; divided by the CPU count it is logins/s per core.
import { availableParallelism } from 'node:os'
import { createPasswordHasher } from '../src/passwords/password.ts'

const cpus = availableParallelism()
const costs = process.argv.slice(2).map((arg) => arg.split(':').map(Number) as [number, number])
for (const [memoryKiB, passes] of costs.length ? costs : [[19_456, 2] as [number, number]]) {
  const hasher = await createPasswordHasher({
    memoryKiB,
    passes,
    concurrency: cpus,
    queueMax: 100_000,
    maxWaitMs: 600_000,
  })
  const stored = await hasher.hash('correct horse battery')
  const n = memoryKiB >= 8192 ? 50 : 400
  let start = performance.now()
  for (let i = 0; i < n; i++) await hasher.verify('correct horse battery', stored)
  const latency = (performance.now() - start) / n
  start = performance.now()
  await Promise.all(Array.from({ length: n * 2 }, () => hasher.verify('correct horse battery', stored)))
  const perSecond = (n * 2) / ((performance.now() - start) / 1000)
  console.log(
    `argon2id m=${memoryKiB} KiB t=${passes} p=1: ${latency.toFixed(1)} ms per verify, ` +
      `${perSecond.toFixed(0)} logins/s on ${cpus} CPUs = ${(perSecond / cpus).toFixed(0)} logins/s per core`,
  )
}
