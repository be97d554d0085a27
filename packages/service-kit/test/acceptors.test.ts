import http from 'node:http'
import net from 'node:net'
import t from 'tap'
import { claimPort, createServiceApp, listenOnSockets } from '../src/index.ts'

const HOST = '127.0.0.1'

/** One request on a fresh connection (no keep-alive agent): which listening socket took it is the kernel's pick. */
function getOnFreshConnection(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: HOST, port, path: '/who', agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
  })
}

async function appAnsweringWithItsListener() {
  const app = await createServiceApp({ service: 'kit-acceptors', logLevel: 'silent' })
  app.get('/who', async () => ({ ok: true }))
  return app
}

t.test('claimPort refuses a port that another socket holds, as a plain listen would', async (t) => {
  const holder = net.createServer()
  await new Promise<void>((resolve) => holder.listen({ host: HOST, port: 0 }, resolve))
  t.teardown(() => new Promise<void>((resolve) => holder.close(() => resolve())))
  const taken = (holder.address() as net.AddressInfo).port
  await t.rejects(claimPort(HOST, taken), { code: 'EADDRINUSE' })
  const free = await claimPort(HOST, 0)
  t.ok(free > 0 && free !== taken, 'port 0 claims a free port of its own')
})

t.test('several sockets on one port all hand their connections to the same app', async (t) => {
  const app = await appAnsweringWithItsListener()
  t.teardown(() => app.close())
  const { port, extra } = await listenOnSockets(app, { host: HOST, port: 0, sockets: 4 })
  t.equal((app.server.address() as net.AddressInfo).port, port, 'the app listens on the returned port')

  // 60 fresh connections over 4 sockets: the kernel spreads them by address hash, so the chance that
  // every one lands on the main socket is (1/4)^60.
  const answers = await Promise.all(Array.from({ length: 60 }, () => getOnFreshConnection(port)))
  t.ok(
    answers.every((a) => a.status === 200),
    'every connection was served',
  )
  const viaExtra = extra?.accepted ?? 0
  t.ok(viaExtra > 0, `extra sockets accepted connections (${viaExtra} of 60)`)
  t.ok(viaExtra < 60, 'and so did the main one')

  await app.close()
  t.equal(await claimPort(HOST, port), port, 'closing the app frees the port on every socket')
})

t.test('open keep-alive connections from extra sockets do not hold up closing the app', async (t) => {
  const app = await appAnsweringWithItsListener()
  const { port, extra } = await listenOnSockets(app, { host: HOST, port: 0, sockets: 4 })
  const agent = new http.Agent({ keepAlive: true, maxSockets: 40 })
  t.teardown(() => agent.destroy())
  const get = () =>
    new Promise<number>((resolve, reject) => {
      http
        .get({ host: HOST, port, path: '/who', agent }, (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        })
        .on('error', reject)
    })
  const statuses = await Promise.all(Array.from({ length: 40 }, get))
  t.ok(
    statuses.every((s) => s === 200),
    'served',
  )
  t.ok((extra?.accepted ?? 0) > 0, 'some of the idle connections came through extra sockets')
  // Hangs (tap's timeout) if closing waited for the extra sockets' connections before the HTTP
  // server could close them.
  await app.close()
  t.equal(await claimPort(HOST, port), port, 'the port is free')
})

t.test('a second app cannot share a port the first one listens on with several sockets', async (t) => {
  const first = await appAnsweringWithItsListener()
  t.teardown(() => first.close())
  const { port } = await listenOnSockets(first, { host: HOST, port: 0, sockets: 3 })
  const second = await appAnsweringWithItsListener()
  t.teardown(() => second.close())
  await t.rejects(listenOnSockets(second, { host: HOST, port, sockets: 3 }), { code: 'EADDRINUSE' })
  const answer = await getOnFreshConnection(port)
  t.equal(answer.status, 200, 'the first app still serves its port')
})

t.test('one socket is an ordinary listen', async (t) => {
  const app = await appAnsweringWithItsListener()
  t.teardown(() => app.close())
  const { port, extra } = await listenOnSockets(app, { host: HOST, port: 0, sockets: 1 })
  t.equal(extra, undefined, 'no extra socket')
  const answers = await Promise.all(Array.from({ length: 10 }, () => getOnFreshConnection(port)))
  t.ok(
    answers.every((a) => a.status === 200),
    'every connection was served',
  )
  const holder = net.createServer()
  await t.rejects(
    new Promise((_resolve, reject) => {
      holder.once('error', reject)
      holder.listen({ host: HOST, port, reusePort: true })
    }),
    { code: 'EADDRINUSE' },
    'nobody can join its port',
  )
})
