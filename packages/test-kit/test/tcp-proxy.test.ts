import { connect, createServer, type Socket } from 'node:net'
import { once } from 'node:events'
import t, { type Test } from 'tap'
import { TcpProxy } from '../src/index.ts'

/** An echo server that records what it received, so a test can tell "lost reply" from "lost request". */
async function echoServer(t: Test) {
  const received: string[] = []
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('data', (chunk) => {
      received.push(chunk.toString())
      socket.write(chunk)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { port: (server.address() as { port: number }).port, received }
}

/** A client that collects what comes back and whether its connection closed. */
async function client(port: number) {
  const socket = connect(port, '127.0.0.1')
  const state = { data: '', closed: false }
  socket.on('data', (chunk) => {
    state.data += chunk.toString()
  })
  socket.on('error', () => {})
  socket.on('close', () => {
    state.closed = true
  })
  await once(socket, 'connect')
  return { socket, state }
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5))
  return check()
}
const settle = () => new Promise((r) => setTimeout(r, 50))

t.test('forwards both ways; cut closes and refuses; resume serves again', async (t) => {
  const echo = await echoServer(t)
  const proxy = await TcpProxy.start({ host: '127.0.0.1', port: echo.port })
  t.teardown(() => proxy.close())
  t.equal(proxy.url('redis://127.0.0.1:6379/0'), `redis://127.0.0.1:${proxy.port}/0`)

  const a = await client(proxy.port)
  a.socket.write('hello')
  t.ok(await until(() => a.state.data === 'hello'), 'echoed through the proxy')
  t.equal(proxy.connections, 1)

  proxy.cut()
  t.ok(await until(() => a.state.closed), 'open connection closed by cut')
  const refused = await client(proxy.port)
  t.ok(await until(() => refused.state.closed), 'new connection closed while cut')

  proxy.resume()
  const b = await client(proxy.port)
  b.socket.write('again')
  t.ok(await until(() => b.state.data === 'again'))
  b.socket.destroy()
})

t.test('stall holds bytes in both directions and delivers them on resume', async (t) => {
  const echo = await echoServer(t)
  const proxy = await TcpProxy.start({ host: '127.0.0.1', port: echo.port })
  t.teardown(() => proxy.close())
  const c = await client(proxy.port)
  proxy.stall()
  c.socket.write('held')
  await settle()
  t.same(echo.received, [], 'the request did not reach the server')
  t.equal(c.state.data, '')
  t.notOk(c.state.closed, 'the connection stays open')
  proxy.resume()
  t.ok(await until(() => c.state.data === 'held'), 'delivered after resume')
  c.socket.destroy()
})

t.test(
  'a lost reply: the server got the request, the client gets nothing and a closed connection',
  async (t) => {
    const echo = await echoServer(t)
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: echo.port })
    t.teardown(() => proxy.close())
    const c = await client(proxy.port)
    const lost = proxy.loseNextReply()
    c.socket.write('commit')
    await lost
    t.ok(await until(() => c.state.closed), 'connection closed')
    t.equal(c.state.data, '', 'reply never arrived')
    t.same(echo.received, ['commit'], 'but the server did receive and answer it')

    const d = await client(proxy.port)
    d.socket.write('next')
    t.ok(await until(() => d.state.data === 'next'), 'only one reply is lost')

    proxy.dropReplies()
    d.socket.write('x')
    t.ok(await until(() => echo.received.includes('x')))
    await settle()
    t.equal(d.state.data, 'next', 'dropReplies swallows every answer')
    proxy.resume()
    d.socket.destroy()
  },
)
