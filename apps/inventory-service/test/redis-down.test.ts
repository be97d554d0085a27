import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net'
import { TEST_REDIS_URL } from '@flash/test-kit'
import t from 'tap'
import {
  bearer,
  createProduct,
  createWorld,
  internal,
  post,
  reserve,
  startApp,
  stockState,
} from './helpers.ts'

/**
 * A TCP hop between the app and Redis that the test cuts and restores: Redis stays up for every other
 * test file, but this app's connection really fails (no mocked client).
 */
function redisProxy() {
  const target = new URL(TEST_REDIS_URL)
  const sockets = new Set<Socket>()
  let server: Server | undefined
  let port = 0
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  return {
    url: () => `redis://127.0.0.1:${port}`,
    open: () =>
      new Promise<void>((resolve) => {
        server = createServer((client) => {
          const upstream = connect(Number(target.port || 6379), target.hostname)
          track(client)
          track(upstream)
          client.pipe(upstream).pipe(client)
          client.on('close', () => upstream.destroy())
          upstream.on('close', () => client.destroy())
        })
        server.listen(port, '127.0.0.1', () => {
          port = (server!.address() as AddressInfo).port
          resolve()
        })
      }),
    cut: async () => {
      const closed = new Promise((resolve) => server!.close(resolve))
      for (const socket of sockets) socket.destroy()
      await closed
    },
  }
}

const world = await createWorld(t, 'inv-redis-down')
const proxy = redisProxy()
await proxy.open()
t.teardown(() => proxy.cut())
const app = await startApp(t, world.config({ REDIS_URL: proxy.url() }))
const admin = bearer(await world.token('admin'))

t.test(
  'Redis down: stock answers are 503 + Retry-After; MySQL writes still land and heal later',
  async (t) => {
    const id = await createProduct(app, world, { stock: 10 })
    t.equal((await reserve(app, { product_id: id, user_id: 1, quantity: 1 })).json().ok, true)
    await proxy.cut()

    const reserved = await reserve(app, { product_id: id, user_id: 2, quantity: 1 })
    t.equal(reserved.statusCode, 503)
    t.equal(reserved.headers['retry-after'], '1')
    t.match(reserved.json(), { code: 'dependency_unavailable', status: 503 })
    const batch = await post(
      app,
      '/internal/reservations/batch',
      {
        items: [2, 3].map((user) => ({
          reservation_id: crypto.randomUUID(),
          product_id: id,
          user_id: user,
          quantity: 1,
        })),
      },
      internal,
    )
    t.equal(batch.statusCode, 503, 'a batch fails whole')
    t.equal(batch.headers['retry-after'], '1')
    const item = {
      reservation_id: crypto.randomUUID(),
      product_id: id,
      user_id: 1,
      quantity: 1,
      outcome: 'release',
    }
    const settled = await post(app, '/internal/reservations/settle', { items: [item] }, internal)
    t.equal(settled.statusCode, 503)
    t.equal(settled.headers['retry-after'], '1')
    for (const url of [`/api/products/${id}`, '/api/products', `/internal/products/${id}/stock-state`]) {
      const res = await app.inject({ method: 'GET', url, headers: internal })
      t.equal(res.statusCode, 503, url)
      t.ok(res.headers['retry-after'], url)
    }
    const ready = await app.inject({ method: 'GET', url: '/ready' })
    t.equal(ready.statusCode, 503)
    t.equal(ready.json().checks.redis, 'down')

    // Admin writes go to MySQL (answering 503 after the commit would invite a double restock on retry).
    const created = await post(
      app,
      '/api/products',
      { name: 'Made offline', price_cents: 5, stock: 4 },
      admin,
    )
    t.equal(created.statusCode, 201)
    t.equal(created.json().stock, 4)
    const restocked = await post(app, `/api/products/${id}/restock`, { quantity: 5 }, admin)
    t.equal(restocked.statusCode, 200)
    t.equal(
      restocked.json().stock,
      15,
      'from MySQL: stock 15 − 0 pending (the live reservation has no order)',
    )

    await proxy.open()
    let up = false
    for (let i = 0; i < 100 && !up; i++) {
      up = (await app.inject({ method: 'GET', url: '/ready' })).statusCode === 200
      if (!up) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    t.ok(up, 'ready again once Redis is back')
    t.equal(await app.sweeper.runOnce(), 'done')
    t.match(
      await stockState(app, id),
      { redis: { available: 14, supplied: 15, reservations: 1 } },
      'the restock arrived',
    )
    t.equal(
      (await app.inject({ method: 'GET', url: `/api/products/${created.json().id}` })).json().stock,
      4,
      'the new product warms up',
    )
  },
)
