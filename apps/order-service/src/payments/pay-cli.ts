// The local stand-in for a payment provider: signs and sends the webhook exactly as a provider would.
//   npm run pay -- <order_uuid> [--amount CENTS] [--event-id ID] [--url URL]
// PAYMENT_WEBHOOK_SECRET: the secret order-service verifies with (default: the development one `npm start`
// gives it).
// Without --amount the order's total is read from DATABASE_URL, as the checkout would have told the
// provider. --event-id resends an earlier event (the webhook answers it as a duplicate).
import { parseArgs } from 'node:util'
import { DEV_PAYMENT_WEBHOOK_SECRET } from '@flash/contracts'
import { createDb, newUuid } from '@flash/db'
import { localPaymentDelivery } from './local-delivery.ts'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    amount: { type: 'string' },
    'event-id': { type: 'string' },
    url: { type: 'string', default: 'http://127.0.0.1:8080/api/payments/webhook' },
  },
})
const orderUuid = positionals[0]
const secret = process.env.PAYMENT_WEBHOOK_SECRET ?? DEV_PAYMENT_WEBHOOK_SECRET
if (!orderUuid || !/^[0-9a-f-]{36}$/i.test(orderUuid)) {
  console.error('usage: npm run pay -- <order_uuid> [--amount CENTS] [--event-id ID] [--url URL]')
  process.exit(2)
}

async function orderTotal(uuid: string): Promise<number> {
  const db = createDb({
    url: process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/flash_sale',
    poolSize: 1,
  })
  try {
    const row = await db
      .selectFrom('orders')
      .select('total_price_cents')
      .where('order_uuid', '=', uuid)
      .executeTakeFirst()
    if (!row) throw new Error(`no order ${uuid} in the database (pass --amount to send anyway)`)
    return Number(row.total_price_cents)
  } finally {
    await db.destroy()
  }
}

try {
  const amount = values.amount === undefined ? await orderTotal(orderUuid) : Number(values.amount)
  if (!Number.isSafeInteger(amount) || amount < 0) throw new Error('--amount must be a whole number of cents')
  const { body, headers } = localPaymentDelivery(
    secret,
    { eventId: values['event-id'] ?? `evt_${newUuid()}`, orderUuid, amountCents: amount },
    Math.floor(Date.now() / 1000),
  )
  const res = await fetch(values.url, { method: 'POST', headers, body })
  console.log(`${res.status} ${await res.text()}`)
  // A provider retries anything but 2xx; so should whoever scripts this.
  if (!res.ok) process.exitCode = 1
} catch (error) {
  console.error(`pay failed: ${(error as Error).message}`)
  process.exitCode = 1
}
