// Finalizer throughput: N pending orders (reserved in a real inventory-service) are queued, then a
// finalizer process drains them; prints commits/s and its CPU per order. Usage:
//   node apps/order-finalizer/bench/finalize.ts [orders=5000] [consumers=4]
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { newUuid } from '@flash/db'
import { sendBatch } from '@flash/queue'
import { insertProduct } from '../test/fixtures.ts'
import { createWorld, SERVICE_TOKEN } from '../test/helpers.ts'

const total = Number(process.argv[2] ?? 5_000)
const consumers = process.argv[3] ?? '4'
const cleanups: (() => unknown)[] = []
const t = { teardown: (fn: () => unknown) => void cleanups.push(fn) }
const cpuMs = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(f[11]) + Number(f[12])) * 10
}

try {
  const world = await createWorld(t, 'bench')
  // Two hot products: every batch needs both rows, the worst case for the row locks.
  const products = [await insertProduct(world.db, total), await insertProduct(world.db, total)]
  for (let i = 0; i < total; i += 100) {
    const chunk = Array.from({ length: Math.min(100, total - i) }, (_, j) => ({
      v: 1 as const,
      order_uuid: newUuid(),
      reservation_id: newUuid(),
      product_id: products[(i + j) % 2]!,
      user_id: 1 + ((i + j) % 500),
      quantity: 1,
      request_id: 'bench',
    }))
    await world.inventory.inject({
      method: 'POST',
      url: '/internal/reservations/batch',
      headers: { authorization: `Bearer ${SERVICE_TOKEN}`, 'content-type': 'application/json' },
      payload: {
        items: chunk.map((m) => ({
          reservation_id: m.reservation_id,
          product_id: m.product_id,
          user_id: m.user_id,
          quantity: 1,
        })),
      },
    })
    await world.db
      .insertInto('orders')
      .values(chunk.map(({ v: _, request_id, ...m }) => ({ ...m, total_price_cents: 100, request_id })))
      .execute()
    await sendBatch(
      world.sqs,
      world.queueUrl,
      chunk.map((m) => ({ MessageBody: JSON.stringify(m) })),
    )
  }

  const child = spawn(process.execPath, [fileURLToPath(new URL('../src/server.ts', import.meta.url))], {
    env: {
      ...process.env,
      ...world.env,
      CONSUMERS: consumers,
      DB_POOL_SIZE: '10',
      PORT: '0',
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_MS: '10000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  cleanups.push(() => new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM')))
  const pending = async () =>
    Number(
      (
        await world.db
          .selectFrom('orders')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('status', '=', 'pending')
          .executeTakeFirstOrThrow()
      ).n,
    )
  // The clock starts at the first finalized order, so process start-up is not counted. Bounded: 10 min.
  let started = 0
  let cpuBefore = 0
  let atStart = total
  let left = total
  for (let i = 0; i < 60_000 && left > 0; i++) {
    left = await pending()
    if (!started && left < total) {
      started = performance.now()
      cpuBefore = cpuMs(child.pid!)
      atStart = left
    }
    await new Promise((resolve) => setTimeout(resolve, started ? 50 : 10))
  }
  const seconds = (performance.now() - started) / 1000
  const finalized = atStart - left
  console.log(
    JSON.stringify({
      orders: total,
      consumers: Number(consumers),
      seconds: Number(seconds.toFixed(2)),
      commits_per_s: Math.round(finalized / seconds),
      finalizer_cpu_us_per_order: Math.round(((cpuMs(child.pid!) - cpuBefore) * 1000) / finalized),
    }),
  )
} finally {
  for (const fn of cleanups.reverse()) await fn()
}
