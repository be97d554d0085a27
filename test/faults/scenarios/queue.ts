import { toOrderMessage } from '@flash/contracts'
import { newUuid } from '@flash/db'
import { sendBatch } from '@flash/queue'
import { directSqs, queueUrl } from '../lib/queues.ts'
import type { Scenario } from '../lib/scenario.ts'
import { sleep } from '../lib/scenario.ts'

export const queueScenarios: Scenario[] = [
  {
    id: 'sqs-down',
    fault: 'SQS emulator unreachable for 4 s',
    async inject(ctx) {
      // Through the proxies, not by stopping the emulator: fauxqs keeps its queues in memory, and
      // real SQS does not lose its messages when it is unreachable for a while.
      ctx.note(`SQS cut at ${ctx.elapsed()} (${ctx.progress.accepted} accepted so far)`)
      for (const proxy of ctx.fs.proxies.allSqs) proxy.cut()
      await sleep(4_000)
      for (const proxy of ctx.fs.proxies.allSqs) proxy.resume()
    },
  },
  {
    id: 'duplicate-poison',
    fault: 'duplicate and poison messages under load',
    async inject(ctx) {
      const sqs = directSqs(ctx.fs.sqsEndpoint)
      try {
        const url = await queueUrl(sqs, ctx.fs.queueName)
        let duplicates = 0
        let poison = 0
        for (let round = 0; round < 3; round++) {
          await ctx.progress.acceptedAtLeast(20 + round * 50, 5_000)
          // Every order written so far, pending or not, delivered twice more.
          const rows = await ctx.fs.db
            .selectFrom('orders')
            .selectAll()
            .where('product_id', '=', ctx.productId)
            .orderBy('id', 'desc')
            .limit(40)
            .execute()
          const copies = rows.flatMap((row) => {
            const body = JSON.stringify(toOrderMessage(row, `faults-duplicate-${round}`))
            return [{ MessageBody: body }, { MessageBody: body }]
          })
          // Poison: not JSON, JSON of the wrong shape (both unparseable: the DLQ keeps them for a
          // person), and well-formed messages naming orders that do not exist.
          const unparseable = [
            { MessageBody: '{not json' },
            { MessageBody: JSON.stringify({ v: 1, hello: 'x' }) },
          ]
          const unknown = [0, 1].map(() => ({
            MessageBody: JSON.stringify({
              v: 1,
              order_uuid: newUuid(),
              reservation_id: newUuid(),
              product_id: ctx.productId,
              user_id: 1,
              quantity: 1,
              request_id: 'faults-poison',
            }),
          }))
          const entries = [...copies, ...unparseable, ...unknown]
          for (let i = 0; i < entries.length; i += 10) {
            const out = await sendBatch(sqs, url, entries.slice(i, i + 10))
            if (out.failed.length) ctx.note(`${out.failed.length} injected message(s) refused by SQS`)
          }
          duplicates += copies.length
          poison += unparseable.length + unknown.length
          ctx.expectDlqResidue(unparseable.length)
          await sleep(500 + ctx.random() * 500)
        }
        ctx.note(`sent ${duplicates} duplicate and ${poison} poison message(s)`)
      } finally {
        sqs.destroy()
      }
    },
  },
]
