import { connect } from 'node:net'
import { PassThrough } from 'node:stream'
import t from 'tap'
import { buildGateway } from '../src/index.ts'
import Fastify from 'fastify'

// Issue 15 item 6: a client that hangs up is not an error of ours; it is counted, and logged sampled.
// An order-service that answers only when the test lets it: clients hang up while it "works".
const slow = Fastify()
let release: () => void = () => {}
const held = new Promise<void>((resolve) => {
  release = resolve
})
slow.all('/*', async () => {
  await held
  return { ok: true }
})
await slow.listen({ port: 0, host: '127.0.0.1' })
t.teardown(() => slow.close())
t.teardown(() => release())
const orders = { url: `http://127.0.0.1:${(slow.server.address() as { port: number }).port}` }
const lines: { level: number; msg: string; err?: unknown }[] = []
const logStream = new PassThrough()
logStream.on('data', (chunk: Buffer) => {
  for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line))
})
const gateway = await buildGateway({ targets: { 'order-service': orders.url }, logLevel: 'info', logStream })
t.teardown(() => gateway.close())
await gateway.listen({ port: 0, host: '127.0.0.1' })
const { port } = gateway.server.address() as { port: number }

/** Sends `request`, waits until the gateway has it (a short pause), then closes the connection. */
const hangUpAfter = (request: string) =>
  new Promise<void>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(request)
      setTimeout(() => socket.destroy(), 20)
    })
    socket.on('close', () => resolve())
  })
const midBody =
  'POST /api/orders HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"product_id":'
const waiting = 'GET /api/orders HTTP/1.1\r\nhost: x\r\n\r\n'

t.test('clients hanging up mid-body are counted as hang-ups, never logged as errors', async (t) => {
  for (let i = 0; i < 20; i++) await hangUpAfter(midBody)
  for (let i = 0; i < 20; i++) await hangUpAfter(waiting)
  release()
  for (let i = 0; i < 500; i++) {
    const { values } = await gateway.serviceEvents.hangups.get()
    if ((values[0]?.value ?? 0) >= 40) break
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  const { values } = await gateway.serviceEvents.hangups.get()
  t.equal(values[0]?.value, 40, 'every hang-up counted')
  t.same(
    lines.filter((l) => l.level >= 50),
    [],
    'no error-level line',
  )
  const hangups = lines.filter((l) => l.msg === 'client hung up')
  t.ok(hangups.length >= 1 && hangups.length < 40, `sampled: ${hangups.length} lines for 40 hang-ups`)
  t.ok(
    lines.every((l) => l.err === undefined),
    'no error object (and so no stack trace) in any line',
  )
})
