import t from 'tap'
import { matchRoute, ROUTE_TABLE, SERVICES } from '../src/index.ts'

t.test('public paths go to their owning service', async (t) => {
  t.equal(matchRoute('/api/login'), 'auth-service')
  t.equal(matchRoute('/.well-known/jwks.json'), 'auth-service')
  t.equal(matchRoute('/api/products'), 'inventory-service')
  t.equal(matchRoute('/api/products/42/restock'), 'inventory-service')
  t.equal(matchRoute('/api/orders?cursor=abc'), 'order-service')
  t.equal(matchRoute('/api/orders/0190a0b0-0000-7000-8000-000000000000'), 'order-service')
})

t.test('internal and unknown paths are never routed', async (t) => {
  t.equal(matchRoute('/internal/reservations'), undefined)
  t.equal(matchRoute('/api/loginx'), undefined)
  t.equal(matchRoute('/metrics'), undefined)
  t.equal(matchRoute('/'), undefined)
})

t.test('every rule names a known service', async (t) => {
  for (const rule of ROUTE_TABLE) t.ok(SERVICES.includes(rule.service), rule.pattern)
})
