import type { StockState } from '@flash/contracts'
import t from 'tap'
import { describeRepairs, judgeStock } from '../src/audit/index.ts'

const state = (
  mysql: Partial<StockState['mysql']>,
  redis: Partial<StockState['redis']> = {},
): StockState => ({
  product_id: 1,
  mysql: {
    stock: 0,
    supplied: 100,
    pending_qty: 0,
    completed_qty: 100,
    failed_qty: 0,
    awaiting_payment_qty: 0,
    paid_qty: 0,
    expired_qty: 0,
    cancelled_qty: 0,
    ...mysql,
  },
  redis: {
    available: 0,
    price_cents: 100,
    max_per_user: null,
    warmed_at: 1,
    supplied: 100,
    reservations: 0,
    reserved_units: 0,
    user_units: 100,
    tombstones: 100,
    counted: 0,
    repairs: 0,
    last_repair_delta: null,
    last_repair_at: null,
    ...redis,
  },
})
const verdict = (s: StockState) => Object.fromEntries(judgeStock(s).map((f) => [f.invariant, f.ok]))

t.test('a sold-out, drained product passes everything', async (t) => {
  t.same(verdict(state({})), { I1: true, I2: true, I4: true })
})

t.test('oversell and lost conservation are caught', async (t) => {
  t.same(verdict(state({ completed_qty: 101, stock: -1 })), { I1: false, I2: true, I4: false })
  t.same(verdict(state({ stock: 3 }, { available: 3 })), { I1: true, I2: false, I4: true })
})

t.test('a leak is caught only when nothing is in flight', async (t) => {
  t.same(verdict(state({ stock: 10, completed_qty: 90 }, { available: 7 })), {
    I1: true,
    I2: true,
    I4: false,
  })
  t.same(
    verdict(state({ stock: 10, completed_qty: 90, pending_qty: 3 }, { available: 7, reservations: 3 })),
    {
      I1: true,
      I2: true,
    },
  )
  t.same(verdict(state({}, { available: null })), { I1: true, I2: true }, 'a cold product has no Redis side')
})

t.test("the reconciler's repairs are reported, and nothing when there were none", async (t) => {
  t.equal(describeRepairs(state({})), undefined)
  t.equal(
    describeRepairs(state({}, { repairs: 2, last_repair_delta: -3, last_repair_at: Date.UTC(2026, 11, 1) })),
    'product 1: 2 repair(s) by the reconciler, last -3 unit(s) at 2026-12-01T00:00:00.000Z',
  )
})

t.test('units held, paid, expired and cancelled count as the payment window says (I1, I2)', async (t) => {
  // 100 supplied: 60 completed, 20 paid, 10 awaiting payment → 90 taken; 7 expired + 3 cancelled are back.
  const books = {
    stock: 10,
    completed_qty: 60,
    paid_qty: 20,
    awaiting_payment_qty: 10,
    expired_qty: 7,
    cancelled_qty: 3,
  }
  t.same(verdict(state(books, { available: 10 })), { I1: true, I2: true, I4: true })
  t.same(
    verdict(state({ ...books, stock: 13 }, { available: 13 })),
    { I1: true, I2: false, I4: true },
    'an expired unit counted back twice breaks conservation',
  )
})
