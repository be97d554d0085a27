import t from 'tap'
import { Value } from 'typebox/value'
import {
  CreateOrderBody,
  CreateProductBody,
  ERROR_CODES,
  type ErrorCode,
  OrderMessage,
  type Order,
  Problem,
  RegisterBody,
  ReserveResult,
} from '../src/index.ts'

t.test('register limits follow the public API (docs/architecture.md)', async (t) => {
  const ok = { name: 'Ada', email: 'ada@example.com', password: 'x'.repeat(8) }
  t.ok(Value.Check(RegisterBody, ok))
  t.notOk(Value.Check(RegisterBody, { ...ok, name: '' }), 'name 1..100')
  t.notOk(Value.Check(RegisterBody, { ...ok, name: 'n'.repeat(101) }))
  t.notOk(Value.Check(RegisterBody, { ...ok, password: 'short' }), 'password 8..128')
  t.notOk(Value.Check(RegisterBody, { ...ok, password: 'p'.repeat(129) }))
  t.notOk(Value.Check(RegisterBody, { ...ok, email: `${'e'.repeat(250)}@x.io` }), 'email ≤ 254')
  t.notOk(Value.Check(RegisterBody, { ...ok, role: 'admin' }), 'no mass assignment of role')
})

t.test('orders and products refuse nonsense quantities', async (t) => {
  t.ok(Value.Check(CreateOrderBody, { product_id: 1, quantity: 1 }))
  t.notOk(Value.Check(CreateOrderBody, { product_id: 1, quantity: 0 }))
  t.notOk(Value.Check(CreateOrderBody, { product_id: 0, quantity: 1 }))
  t.notOk(Value.Check(CreateOrderBody, { product_id: 1, quantity: 1.5 }))
  t.notOk(Value.Check(CreateProductBody, { name: 'x', price_cents: -1, stock: 1 }))
  t.notOk(Value.Check(CreateProductBody, { name: 'x', price_cents: 1, stock: -1 }))
})

t.test('the SQS message is versioned', async (t) => {
  const message = {
    v: 1,
    order_uuid: '0190a0b0-0000-7000-8000-000000000000',
    reservation_id: '0190a0b0-0000-7000-8000-000000000001',
    product_id: 1,
    user_id: 2,
    quantity: 3,
    request_id: 'r',
  }
  t.ok(Value.Check(OrderMessage, message))
  t.notOk(Value.Check(OrderMessage, { ...message, v: 2 }), 'an unknown version is refused, not guessed')
})

t.test('a refused reservation names its reason', async (t) => {
  t.ok(Value.Check(ReserveResult, { ok: false, reason: 'out_of_stock' }))
  t.notOk(Value.Check(ReserveResult, { ok: false, reason: 'maybe' }))
})

t.test('every error code maps to a 4xx/5xx status a Problem can carry', async (t) => {
  for (const [code, status] of Object.entries(ERROR_CODES)) {
    t.ok(
      Value.Check(Problem, { type: 'about:blank', title: code, status, detail: '', code }),
      `${code} → ${status}`,
    )
  }
  t.equal(ERROR_CODES.out_of_stock, 409, 'the public API promises 409 out_of_stock')
})

// Compile-time checks (tsc -b runs over this file): types derived with Static<> track the schemas.
const code: ErrorCode = 'per_user_limit_exceeded'
const order: Pick<Order, 'status'> = { status: 'completed' }
// @ts-expect-error — not a known error code
const unknownCode: ErrorCode = 'oops'
// @ts-expect-error — not an order status
const badStatus: Pick<Order, 'status'> = { status: 'shipped' }
void [code, order, unknownCode, badStatus]
