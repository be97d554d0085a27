import { createServer } from 'node:http'
import t from 'tap'
import { freePort, waitForReady } from '../src/index.ts'

t.test('waits through non-2xx answers until the endpoint is ready', async (t) => {
  let calls = 0
  const server = createServer((_req, res) => {
    calls++
    res.statusCode = calls < 3 ? 503 : 200
    res.end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  await waitForReady(`http://127.0.0.1:${port}/ready`, { timeoutMs: 30_000, intervalMs: 10 })
  t.equal(calls, 3)
})

t.test('gives up at once when told why', async (t) => {
  const port = await freePort()
  await t.rejects(
    waitForReady(`http://127.0.0.1:${port}/ready`, { timeoutMs: 30_000, gaveUp: () => 'process exited' }),
    /process exited/,
  )
})

t.test('rejects after the timeout when nothing answers', async (t) => {
  const port = await freePort()
  await t.rejects(
    waitForReady(`http://127.0.0.1:${port}/ready`, { timeoutMs: 100, intervalMs: 20 }),
    /not ready after 100 ms/,
  )
})
