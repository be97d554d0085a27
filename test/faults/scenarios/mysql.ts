import type { Scenario } from '../lib/scenario.ts'
import { sleep } from '../lib/scenario.ts'

/** The stack runs with RESERVATION_TTL_SECONDS=5 (fault-stack.ts); the stall outlasts it. */
const TTL_SECONDS = 5

export const mysqlScenarios: Scenario[] = [
  {
    id: 'mysql-cut',
    fault: 'MySQL cut for 3 s',
    async inject(ctx) {
      ctx.note(`MySQL cut at ${ctx.elapsed()} (${ctx.progress.accepted} accepted so far)`)
      for (const proxy of ctx.fs.proxies.allMysql) proxy.cut()
      await sleep(3_000)
      for (const proxy of ctx.fs.proxies.allMysql) proxy.resume()
    },
  },
  {
    id: 'mysql-stall',
    fault: `MySQL stalled ${TTL_SECONDS + 3} s (> reservation TTL ${TTL_SECONDS} s)`,
    // The intake answers within ORDER_WRITE_TIMEOUT_MS (202, its outcome pending), inside the buyers'
    // 3 s timeout: 161 requests went unanswered while it waited for a second INSERT on the stall.
    requireAnswered: true,
    async inject(ctx) {
      ctx.note(`MySQL stalled at ${ctx.elapsed()} (${ctx.progress.accepted} accepted so far)`)
      for (const proxy of ctx.fs.proxies.allMysql) proxy.stall()
      await sleep((TTL_SECONDS + 3) * 1_000)
      for (const proxy of ctx.fs.proxies.allMysql) proxy.resume()
    },
  },
  {
    id: 'mysql-lost-reply',
    fault: 'MySQL reply lost after the statement ran ×12',
    async inject(ctx) {
      // Alternating the intake's link (its INSERT of the pending row) and the finalizer's (its
      // locks, updates and COMMIT): each lost reply is the answer to a statement MySQL did execute.
      const links = [ctx.fs.proxies.mysql.order, ctx.fs.proxies.mysql.finalizer]
      let lost = 0
      for (let i = 0; i < 12; i++) {
        const link = links[i % links.length]!
        const done = link.loseNextReply().then(() => true)
        const hit = await Promise.race([done, sleep(2_000).then(() => false)])
        if (hit) lost++
        await sleep(100 + ctx.random() * 300)
      }
      ctx.note(`${lost} of 12 armed replies were lost (order-service and finalizer links alternately)`)
    },
  },
]
