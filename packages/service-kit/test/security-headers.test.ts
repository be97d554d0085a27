import t from 'tap'
import { createServiceApp, noStore } from '../src/index.ts'

// Issue 15 item 4: security headers on every answer, no-store where credentials travel, HSTS on HTTPS.
const app = await createServiceApp({ service: 'kit-headers', logLevel: 'silent', trustProxy: 'loopback' })
app.get('/thing', async () => ({ ok: true }))
app.post('/token', { onRequest: noStore }, async () => ({ access_token: 'x' }))
t.teardown(() => app.close())

t.test('API answers: nosniff, no framing, a CSP that loads nothing, no referrer', async (t) => {
  for (const url of ['/thing', '/nope', '/metrics']) {
    const res = await app.inject(url)
    t.equal(res.headers['x-content-type-options'], 'nosniff', url)
    t.equal(res.headers['x-frame-options'], 'DENY', url)
    t.equal(res.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'", url)
    t.equal(res.headers['referrer-policy'], 'no-referrer', url)
    t.equal(res.headers['strict-transport-security'], undefined, 'no HSTS over plain HTTP')
  }
})

t.test('HSTS when the request came over HTTPS (X-Forwarded-Proto from a trusted proxy)', async (t) => {
  const res = await app.inject({ url: '/thing', headers: { 'x-forwarded-proto': 'https' } })
  t.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains')
})

t.test('token answers are never stored', async (t) => {
  const res = await app.inject({ method: 'POST', url: '/token' })
  t.equal(res.headers['cache-control'], 'no-store')
  t.equal(res.headers.pragma, 'no-cache')
})

t.test('Swagger UI: its own CSP, still no framing', async (t) => {
  const res = await app.inject('/docs')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-security-policy'], /script-src/)
  t.match(res.headers['content-security-policy'], /frame-ancestors 'none'/)
  t.notMatch(res.headers['content-security-policy'], /frame-ancestors 'self'/)
  t.equal(res.headers['x-frame-options'], 'DENY')
})
