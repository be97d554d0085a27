import t from 'tap'
import { seedAdmin } from '../src/users/admin-seed.ts'
import { createPasswordHasher } from '../src/passwords/password.ts'
import { createWorld, me, post, register, startApp, testHasherOptions } from './helpers.ts'

const world = await createWorld(t, 'auth-admin')
const adminRows = (email: string) =>
  world.db.selectFrom('users').selectAll().where('email', '=', email).execute()

t.test('ADMIN_EMAIL + ADMIN_PASSWORD create an admin at start, once', async (t) => {
  const env = { ADMIN_EMAIL: 'Root@Example.com', ADMIN_PASSWORD: 'admin password 1' }
  const first = await startApp(t, world.config(env))
  const [row] = await adminRows('root@example.com')
  t.equal(row?.role, 'admin')

  const login = await post(first, '/api/login', { email: 'root@example.com', password: env.ADMIN_PASSWORD })
  t.equal(login.statusCode, 200)
  t.match((await me(first, login.json().access_token)).json(), { role: 'admin', email: 'root@example.com' })

  // A restart (or a second instance) with the same settings changes nothing.
  await startApp(t, world.config(env))
  const again = await adminRows('root@example.com')
  t.equal(again.length, 1)
  t.equal(again[0]?.password_hash, row?.password_hash, 'not even re-hashed')
  t.equal(again[0]?.id, row?.id)
})

t.test('a new ADMIN_PASSWORD replaces the old one; an existing customer is promoted', async (t) => {
  const app = await startApp(t, world.config())
  const customer = await register(app)
  t.equal(customer.user.role, 'customer')
  const env = { ADMIN_EMAIL: customer.user.email, ADMIN_PASSWORD: 'brand new admin pw' }
  const restarted = await startApp(t, world.config(env))
  const rows = await adminRows(customer.user.email)
  t.equal(rows.length, 1)
  t.equal(rows[0]?.role, 'admin')
  t.equal(
    (await post(restarted, '/api/login', { email: customer.user.email, password: customer.password }))
      .statusCode,
    401,
    'old password no longer works',
  )
  t.equal(
    (await post(restarted, '/api/login', { email: customer.user.email, password: env.ADMIN_PASSWORD }))
      .statusCode,
    200,
  )
})

t.test('seedAdmin reports what it did', async (t) => {
  const passwords = await createPasswordHasher(testHasherOptions())
  const seed = { email: 'ops@example.com', password: 'ops password!' }
  t.equal(await seedAdmin(world.db, passwords, seed), 'created')
  t.equal(await seedAdmin(world.db, passwords, seed), 'unchanged')
  t.equal(await seedAdmin(world.db, passwords, { ...seed, password: 'another one!' }), 'updated')
  t.equal((await adminRows('ops@example.com')).length, 1)
})

t.test('nothing is seeded unless both variables are set', async (t) => {
  await startApp(t, world.config({ ADMIN_EMAIL: 'half@example.com' }))
  t.equal((await adminRows('half@example.com')).length, 0)
})
