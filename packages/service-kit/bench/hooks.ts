// What each of the kit's per-request pieces costs on a sold-out-like answer (POST, JSON body schema,
// 409). Each variant adds one piece to the previous one and runs in a server process of its own;
// autocannon drives it from this process. Usage:
//   node packages/service-kit/bench/hooks.ts [seconds=4] [connections=100]
// Numbers move with whatever else runs on the box: compare the variants of one run, as ratios.
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'

export const VARIANTS = [
  'bare', // Fastify, no logger: the ceiling (variants 1 and 2 are compared with it, the rest with the one before)
  'logger: Fastify default (2 info lines per request)',
  'logger: kit (RequestLog 5xx/slow only, lazy child)',
  '+ request id header',
  '+ problem+json answer',
  '+ shedding (under-pressure)',
  '+ metrics',
] as const

const seconds = Number(process.argv[2] ?? 3)
const connections = Number(process.argv[3] ?? 100)
const rounds = Number(process.argv[4] ?? 3)
const body = JSON.stringify({ product_id: 1, quantity: 1 })

/** CPU the server process has used, in µs (utime + stime from /proc, 10 ms ticks). */
function cpuUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10_000
}

async function measure(variant: number) {
  const server = fork(new URL('./hooks-server.ts', import.meta.url), [String(variant)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const [port] = (await once(server, 'message')) as [number]
  const run = (duration: number) =>
    autocannon({
      url: `http://127.0.0.1:${port}/api/orders`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections,
      duration,
    })
  await run(1) // warm-up: JIT and connection set-up
  const before = cpuUs(server.pid!)
  const result = await run(seconds)
  const usPerRequest = (cpuUs(server.pid!) - before) / result.requests.total
  server.kill('SIGTERM')
  await once(server, 'exit')
  return { rps: result.requests.average, usPerRequest }
}

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)]!

if (import.meta.main) {
  // Rounds interleave the variants, so a burst of someone else's load hits them all alike.
  const samples = VARIANTS.map(() => ({ rps: [] as number[], us: [] as number[] }))
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < VARIANTS.length; i++) {
      const m = await measure(i)
      samples[i]!.rps.push(m.rps)
      samples[i]!.us.push(m.usPerRequest)
    }
  }
  const bare = median(samples[0]!.rps)
  console.log(`median of ${rounds} rounds, ${seconds} s each at ${connections} connections`)
  for (const [i, s] of samples.entries()) {
    const us = median(s.us)
    const previous = i === 0 ? us : median(samples[i <= 2 ? 0 : i - 1]!.us)
    console.log(
      `${VARIANTS[i]!.padEnd(52)} ${String(Math.round(median(s.rps))).padStart(7)} req/s ` +
        `${((median(s.rps) / bare) * 100).toFixed(0).padStart(4)} % of bare  ` +
        `server CPU ${us.toFixed(1).padStart(5)} µs/request (${i === 0 ? '' : `${us - previous >= 0 ? '+' : ''}${(us - previous).toFixed(1)}`})`,
    )
  }
}
