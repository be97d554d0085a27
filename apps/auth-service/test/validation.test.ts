import t from 'tap'
import { createWorld, startApp } from './helpers.ts'

const world = await createWorld(t, 'auth-validation')
const app = await startApp(t, world.config())

const ok = { name: 'Valid Name', email: 'valid@example.com', password: 'long enough' }
const json = (body: unknown) => ({ 'content-type': 'application/json', payload: JSON.stringify(body) })

interface Case {
  url?: string
  'content-type'?: string
  payload?: string
  status: number
  code: string
  /** A field the problem's `errors` must name. */
  path?: string
}

const table: Record<string, Case> = {
  'empty object': { ...json({}), status: 400, code: 'validation_failed', path: 'body.name' },
  'missing name': {
    ...json({ ...ok, name: undefined }),
    status: 400,
    code: 'validation_failed',
    path: 'body.name',
  },
  'missing email': {
    ...json({ ...ok, email: undefined }),
    status: 400,
    code: 'validation_failed',
    path: 'body.email',
  },
  'missing password': {
    ...json({ ...ok, password: undefined }),
    status: 400,
    code: 'validation_failed',
    path: 'body.password',
  },
  'empty name': { ...json({ ...ok, name: '' }), status: 400, code: 'validation_failed', path: 'body.name' },
  'blank name': {
    ...json({ ...ok, name: '   \t ' }),
    status: 400,
    code: 'validation_failed',
    path: 'body.name',
  },
  'name of 101 characters': {
    ...json({ ...ok, name: 'n'.repeat(101) }),
    status: 400,
    code: 'validation_failed',
    path: 'body.name',
  },
  'email of 255 characters': {
    ...json({ ...ok, email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.com` }),
    status: 400,
    code: 'validation_failed',
    path: 'body.email',
  },
  'not an email': { ...json({ ...ok, email: 'not-an-email' }), status: 400, code: 'validation_failed' },
  'email with spaces': {
    ...json({ ...ok, email: 'a b@example.com' }),
    status: 400,
    code: 'validation_failed',
  },
  'email without domain': { ...json({ ...ok, email: 'someone@' }), status: 400, code: 'validation_failed' },
  'password of 7 characters': {
    ...json({ ...ok, password: '1234567' }),
    status: 400,
    code: 'validation_failed',
    path: 'body.password',
  },
  'password of 129 characters': {
    ...json({ ...ok, password: 'p'.repeat(129) }),
    status: 400,
    code: 'validation_failed',
    path: 'body.password',
  },
  'extra field (role)': { ...json({ ...ok, role: 'admin' }), status: 400, code: 'validation_failed' },
  'object where a string belongs': {
    ...json({ ...ok, name: { first: 'Ada' } }),
    status: 400,
    code: 'validation_failed',
    path: 'body.name',
  },
  'array body': { ...json([ok]), status: 400, code: 'validation_failed' },
  'null body': {
    'content-type': 'application/json',
    payload: 'null',
    status: 400,
    code: 'validation_failed',
  },
  'malformed JSON': {
    'content-type': 'application/json',
    payload: '{"name": "x",',
    status: 400,
    code: 'malformed_json',
  },
  'empty JSON body': { 'content-type': 'application/json', payload: '', status: 400, code: 'malformed_json' },
  'text/plain': {
    'content-type': 'text/plain',
    payload: JSON.stringify(ok),
    status: 415,
    code: 'unsupported_media_type',
  },
  'form encoded': {
    'content-type': 'application/x-www-form-urlencoded',
    payload: 'name=a&email=b%40c.de&password=12345678',
    status: 415,
    code: 'unsupported_media_type',
  },
  'no content type': { payload: JSON.stringify(ok), status: 415, code: 'unsupported_media_type' },
  'body over the limit': {
    ...json({ ...ok, name: 'x'.repeat(20_000) }),
    status: 413,
    code: 'payload_too_large',
  },
  'login without password': {
    url: '/api/login',
    ...json({ email: ok.email }),
    status: 400,
    code: 'validation_failed',
    path: 'body.password',
  },
  'login with extra field': {
    url: '/api/login',
    ...json({ email: ok.email, password: 'x', otp: 1 }),
    status: 400,
    code: 'validation_failed',
  },
  'login malformed JSON': {
    url: '/api/login',
    'content-type': 'application/json',
    payload: '{',
    status: 400,
    code: 'malformed_json',
  },
  'refresh without token': { url: '/api/refresh', ...json({}), status: 400, code: 'validation_failed' },
  'refresh with a short token': {
    url: '/api/refresh',
    ...json({ refresh_token: 'short' }),
    status: 400,
    code: 'validation_failed',
  },
  'refresh as text/plain': {
    url: '/api/refresh',
    'content-type': 'text/plain',
    payload: 'x'.repeat(43),
    status: 415,
    code: 'unsupported_media_type',
  },
}

for (const [name, c] of Object.entries(table)) {
  t.test(name, async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: c.url ?? '/api/register',
      headers: c['content-type'] ? { 'content-type': c['content-type'] } : {},
      ...(c.payload === undefined ? {} : { payload: c.payload }),
    })
    t.equal(res.statusCode, c.status, 'status', { body: res.body })
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    const problem = res.json()
    t.match(problem, { code: c.code, status: c.status, type: String, title: String, detail: String })
    if (c.path)
      t.ok(
        problem.errors?.some((e: { path: string }) => e.path === c.path),
        `names ${c.path}`,
      )
  })
}

t.test('bad input never leaves a row behind', async (t) => {
  const users = await world.db.selectFrom('users').select('id').execute()
  const tokens = await world.db.selectFrom('refresh_tokens').select('id').execute()
  t.equal(users.length, 0)
  t.equal(tokens.length, 0)
})
