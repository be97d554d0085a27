import { CursorQuery, ProductParams } from '@flash/contracts'
import t from 'tap'
import { createServiceApp } from '../src/index.ts'

// Issue 15 item 9: a numeric path or query value is a plain decimal, never whatever Number() reads.
const app = await createServiceApp({ service: 'kit-decimals', logLevel: 'silent' })
app.get('/things/:id', { schema: { params: ProductParams, querystring: CursorQuery } }, async (request) => ({
  id: request.params.id,
  limit: request.query.limit,
}))
t.teardown(() => app.close())

t.test('plain decimals are coerced as before', async (t) => {
  const res = await app.inject('/things/42?limit=7')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { id: 42, limit: 7 })
})

t.test('hex, exponents, blanks, signs and leading zeros are refused with 400 problem+json', async (t) => {
  for (const id of ['0x1', '1e0', '%201', '1%20', '+1', '01', '1.0', '0b1', 'Infinity', '%09']) {
    const res = await app.inject(`/things/${id}`)
    t.equal(res.statusCode, 400, id)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.match(res.json(), { code: 'validation_failed', errors: [{ path: 'params.id' }] })
  }
  const query = await app.inject('/things/1?limit=0x10')
  t.equal(query.statusCode, 400, 'query numbers too')
  t.match(query.json(), { errors: [{ path: 'querystring.limit' }] })
})
